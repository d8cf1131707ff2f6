/* crm-service-page.c: the Service workspace: the complaint queue with SLA timers, quick actions and service metrics */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>

#include "crm-change-set.h"
#include "crm-complaint-dialog.h"
#include "crm-contact.h"
#include "crm-service-page.h"
#include "crm-user-directory.h"

#define REFRESH_SECONDS 60

struct _CrmServicePage
{
  GtkWidget           parent_instance;

  CrmContext         *context;
  GPtrArray          *queue;          /* CrmActivity */
  GArray             *overdue;        /* gboolean per row */
  GPtrArray          *assignee_ids;   /* per assignee drop-down item after the first two */
  CrmServiceSettings  settings;
  CrmServiceMetrics   metrics;
  CrmChangeSet       *undo;
  GDateTime          *fixed_now;
  CrmComplaintDialog *complaint_dialog;  /* while open (weak) */
  guint               refresh_id;

  /* Template widgets */
  AdwToastOverlay    *toast_overlay;
  GtkWidget          *metrics_box;
  GtkDropDown        *status_dropdown;
  GtkDropDown        *priority_dropdown;
  GtkDropDown        *assignee_dropdown;
  GtkLabel           *count_label;
  GtkStack           *list_stack;
  GtkListBox         *queue_list;
  GtkSpinButton      *response_spin;
  GtkSpinButton      *resolution_spin;
  GtkCheckButton     *auto_check;
  GtkPopover         *sla_popover;
};

G_DEFINE_FINAL_TYPE (CrmServicePage, crm_service_page, GTK_TYPE_WIDGET)

/* The status drop-down: NULL is "everything not closed". */
static const char * const status_filters[] = { NULL, "open", "in_progress", "resolved", "closed" };
static const char * const priority_filters[] = { NULL, "urgent", "high", "normal", "low" };

static const char *
status_label (const char *status)
{
  /* With a context: "Open" is also a survey taking answers and an open
   * deal, which Chinese words differently from a complaint awaiting work. */
  if (g_strcmp0 (status, "in_progress") == 0)
    return C_("complaint status", "In progress");
  if (g_strcmp0 (status, "resolved") == 0)
    return C_("complaint status", "Resolved");
  if (g_strcmp0 (status, "closed") == 0)
    return C_("complaint status", "Closed");
  return C_("complaint status", "Open");
}

static const char *
priority_label (const char *priority)
{
  if (g_strcmp0 (priority, "urgent") == 0)
    return _("Urgent");
  if (g_strcmp0 (priority, "high") == 0)
    return _("High");
  if (g_strcmp0 (priority, "low") == 0)
    return _("Low");
  return _("Normal");
}

static CrmStore *
get_store (CrmServicePage *self)
{
  return self->context ? crm_context_get_store (self->context) : NULL;
}

static GDateTime *
now_utc (CrmServicePage *self)
{
  return self->fixed_now ? g_date_time_ref (self->fixed_now) : g_date_time_new_now_utc ();
}

static void
show_error (CrmServicePage *self,
            const GError   *error)
{
  AdwToast *toast = adw_toast_new (error->message);

  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* "3 h 20 min", "2 d 4 h", "45 min" */
static char *
duration_text (gint64 us)
{
  gint64 minutes = ABS (us) / (60 * G_USEC_PER_SEC);

  if (minutes >= 48 * 60)
    return g_strdup_printf (_("%" PRId64 " d %" PRId64 " h"), minutes / (24 * 60), (minutes / 60) % 24);
  if (minutes >= 60)
    return g_strdup_printf (_("%" PRId64 " h %" PRId64 " min"), minutes / 60, minutes % 60);
  return g_strdup_printf (_("%" PRId64 " min"), minutes);
}

static char *
hours_text (double hours)
{
  if (isnan (hours))
    return g_strdup (_("—"));
  return duration_text ((gint64) (hours * 3600 * G_USEC_PER_SEC));
}

/* --- metrics -------------------------------------------------------------- */

static void
add_tile (CrmServicePage *self,
          const char     *value,
          const char     *caption,
          gboolean        alert)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *value_label = gtk_label_new (value);
  GtkWidget *caption_label = gtk_label_new (caption);

  gtk_label_set_xalign (GTK_LABEL (value_label), 0);
  gtk_label_set_xalign (GTK_LABEL (caption_label), 0);
  gtk_label_set_wrap (GTK_LABEL (caption_label), TRUE);
  gtk_widget_add_css_class (value_label, "title-2");
  if (alert)
    gtk_widget_add_css_class (value_label, "error");
  gtk_widget_add_css_class (caption_label, "dim-label");
  gtk_widget_add_css_class (caption_label, "caption");
  gtk_box_append (GTK_BOX (box), value_label);
  gtk_box_append (GTK_BOX (box), caption_label);
  gtk_flow_box_append (GTK_FLOW_BOX (self->metrics_box), box);
}

static void
reload_metrics (CrmServicePage *self)
{
  g_autoptr(GDateTime) now = now_utc (self);
  g_autoptr(GDateTime) local = g_date_time_to_local (now);
  g_autoptr(GDateTime) year_ago = g_date_time_add_years (local, -1);
  g_autofree char *to = g_date_time_format (local, "%Y-%m-%d");
  g_autofree char *from = g_date_time_format (year_ago, "%Y-%m-%d");
  g_autoptr(GError) error = NULL;
  GtkWidget *child;
  CrmAnalyticsQuery query;

  while ((child = gtk_widget_get_first_child (self->metrics_box)) != NULL)
    gtk_flow_box_remove (GTK_FLOW_BOX (self->metrics_box), child);
  if (!crm_analytics_query_init (&query, from, to, &error) ||
      !crm_service_metrics (get_store (self), &query, &self->settings, now, &self->metrics, &error))
    {
      show_error (self, error);
      return;
    }
  {
    g_autofree char *backlog = g_strdup_printf ("%" PRId64, self->metrics.backlog);
    g_autofree char *overdue = g_strdup_printf ("%" PRId64, self->metrics.overdue);
    g_autofree char *response = hours_text (self->metrics.times.response_median);
    g_autofree char *response_p90 = hours_text (self->metrics.times.response_p90);
    g_autofree char *resolution = hours_text (self->metrics.times.resolution_median);
    g_autofree char *resolution_p90 = hours_text (self->metrics.times.resolution_p90);
    g_autofree char *per_thousand = isnan (self->metrics.per_thousand) ? g_strdup (_("—"))
                                    : g_strdup_printf ("%.1f", self->metrics.per_thousand);
    g_autofree char *satisfaction = isnan (self->metrics.satisfaction) ? g_strdup (_("—"))
                                    : g_strdup_printf (_("%.1f / 5"), self->metrics.satisfaction);
    g_autofree char *response_caption = g_strdup_printf (_("first response, median (90 %%: %s)"), response_p90);
    g_autofree char *resolution_caption = g_strdup_printf (_("resolution, median (90 %%: %s)"), resolution_p90);

    add_tile (self, backlog, _("open complaints"), FALSE);
    add_tile (self, overdue, _("past their SLA"), self->metrics.overdue > 0);
    add_tile (self, response, response_caption, FALSE);
    add_tile (self, resolution, resolution_caption, FALSE);
    add_tile (self, per_thousand, _("complaints per 1,000 customers, last 12 months"), FALSE);
    add_tile (self, satisfaction, _("satisfaction after resolution"), FALSE);
  }
}

/* --- queue ---------------------------------------------------------------- */

static GtkWidget *
action_button (const char *label,
               const char *id,
               const char *status)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(ss)", id, status);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "service.set-status");
  return button;
}

static void
on_satisfaction_selected (GtkDropDown    *dropdown,
                          GParamSpec     *pspec,
                          CrmServicePage *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);
  const char *id = g_object_get_data (G_OBJECT (dropdown), "complaint-id");

  if (selected >= 1 && selected <= 5)
    gtk_widget_activate_action (GTK_WIDGET (self), "service.set-satisfaction", "(si)", id, (int) selected);
}

static GtkWidget *
queue_row (CrmServicePage *self,
           CrmActivity    *complaint,
           GHashTable     *user_names,
           GDateTime      *now,
           gboolean       *out_overdue)
{
  CrmRecord *c = CRM_RECORD (complaint);
  const char *id = crm_record_get_id (c);
  const char *status = crm_record_get_string (c, "status");
  const char *priority = crm_record_get_string (c, "priority");
  const char *first = crm_record_get_string (c, "first_response_at");
  const char *resolved = crm_record_get_string (c, "resolved_at");
  const char *assignee = crm_record_get_string (c, "assignee_id");
  const char *category = crm_record_get_string (c, "category");
  const char *contact_id = crm_record_get_string (c, "contact_id");
  g_autoptr(CrmContact) contact = contact_id ? crm_store_get (get_store (self), CRM_TYPE_CONTACT, contact_id, NULL) : NULL;
  g_autofree char *sla_text = NULL;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *subject, *sub, *sla, *pill;
  gint64 now_us = g_date_time_to_unix (now) * G_USEC_PER_SEC;
  CrmSlaState state;
  gboolean overdue = FALSE;

  if (crm_complaint_sla (crm_record_get_created_at (c), first, resolved, &self->settings, now, &state))
    {
      overdue = crm_sla_state_is_overdue (&state, first, resolved);
      if (resolved != NULL)
        {
          /* created_at is a clock value: its first 24 characters are the time. */
          g_autofree char *created_text = g_strndup (crm_record_get_created_at (c), 24);
          g_autoptr(GDateTime) created = g_date_time_new_from_iso8601 (created_text, NULL);
          g_autoptr(GDateTime) done = g_date_time_new_from_iso8601 (resolved, NULL);
          g_autofree char *took = created && done ? duration_text (g_date_time_difference (done, created)) : NULL;

          /* TRANSLATORS: %s is a duration, e.g. "2 d 4 h" */
          sla_text = took ? g_strdup_printf (_("Resolved in %s"), took) : NULL;
        }
      else if (state.response_late && first == NULL)
        {
          g_autofree char *late = duration_text (now_us - state.response_due);

          sla_text = g_strdup_printf (_("No response, %s late"), late);
        }
      else if (state.resolution_late)
        {
          g_autofree char *late = duration_text (now_us - state.resolution_due);

          sla_text = g_strdup_printf (_("Unresolved, %s late"), late);
        }
      else if (first == NULL && state.response_due != G_MININT64)
        {
          g_autofree char *left = duration_text (state.response_due - now_us);

          sla_text = g_strdup_printf (_("Respond within %s"), left);
        }
      else if (state.resolution_due != G_MININT64)
        {
          g_autofree char *left = duration_text (state.resolution_due - now_us);

          sla_text = g_strdup_printf (_("Resolve within %s"), left);
        }
    }
  *out_overdue = overdue;

  pill = gtk_label_new (priority_label (priority));
  gtk_widget_set_size_request (pill, 64, -1);
  gtk_widget_set_valign (pill, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (pill, "caption-heading");
  if (g_strcmp0 (priority, "urgent") == 0 || g_strcmp0 (priority, "high") == 0)
    gtk_widget_add_css_class (pill, "warning");
  gtk_box_append (GTK_BOX (row), pill);

  /* Plain text: subjects may hold a customer's words. */
  subject = gtk_label_new (crm_record_get_string (c, "subject") ? crm_record_get_string (c, "subject")
                                                                 : _("(no subject)"));
  gtk_label_set_xalign (GTK_LABEL (subject), 0);
  gtk_label_set_wrap (GTK_LABEL (subject), TRUE);
  gtk_widget_add_css_class (subject, "heading");
  g_string_append (subtitle, contact ? crm_record_get_string (CRM_RECORD (contact), "name") : _("No customer"));
  g_string_append_printf (subtitle, " · %s", status_label (status));
  if (category != NULL)
    g_string_append_printf (subtitle, " · %s", category);
  g_string_append_printf (subtitle, " · %s", assignee ? (const char *) g_hash_table_lookup (user_names, assignee)
                                                        ?: _("someone else")
                                                      : _("unassigned"));
  sub = gtk_label_new (subtitle->str);
  gtk_label_set_xalign (GTK_LABEL (sub), 0);
  gtk_label_set_wrap (GTK_LABEL (sub), TRUE);
  gtk_widget_add_css_class (sub, "dim-label");
  gtk_box_append (GTK_BOX (text), subject);
  gtk_box_append (GTK_BOX (text), sub);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (row), text);

  sla = gtk_label_new (sla_text ? sla_text : "");
  gtk_widget_set_valign (sla, GTK_ALIGN_CENTER);
  if (overdue)
    gtk_widget_add_css_class (sla, "error");
  else
    gtk_widget_add_css_class (sla, "dim-label");
  gtk_box_append (GTK_BOX (row), sla);

  if (g_strcmp0 (status, "open") == 0 || status == NULL)
    gtk_box_append (GTK_BOX (row), action_button (_("_Start"), id, "in_progress"));
  if (g_strcmp0 (status, "resolved") != 0 && g_strcmp0 (status, "closed") != 0)
    gtk_box_append (GTK_BOX (row), action_button (_("_Resolve"), id, "resolved"));
  if (g_strcmp0 (status, "resolved") == 0)
    {
      static const char * const scores[] = { N_("Satisfaction…"), "1", "2", "3", "4", "5", NULL };
      g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
      GtkWidget *dropdown;
      gint64 score = crm_record_get_int64 (c, "satisfaction");

      gtk_string_list_append (list, _(scores[0]));
      for (guint i = 1; scores[i] != NULL; i++)
        gtk_string_list_append (list, scores[i]);
      dropdown = gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&list)), NULL);
      gtk_widget_set_valign (dropdown, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (dropdown, _("The customer’s satisfaction with the resolution"));
      gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), score >= 1 && score <= 5 ? (guint) score : 0);
      g_object_set_data_full (G_OBJECT (dropdown), "complaint-id", g_strdup (id), g_free);
      g_signal_connect (dropdown, "notify::selected", G_CALLBACK (on_satisfaction_selected), self);
      gtk_box_append (GTK_BOX (row), dropdown);
      gtk_box_append (GTK_BOX (row), action_button (_("_Close"), id, "closed"));
    }
  if (g_strcmp0 (status, "resolved") == 0 || g_strcmp0 (status, "closed") == 0)
    gtk_box_append (GTK_BOX (row), action_button (_("Re_open"), id, "open"));

  gtk_widget_set_margin_top (row, 8);
  gtk_widget_set_margin_bottom (row, 8);
  gtk_widget_set_margin_start (row, 8);
  gtk_widget_set_margin_end (row, 8);
  return row;
}

static void
reload_queue (CrmServicePage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GDateTime) now = now_utc (self);
  CrmComplaintFilter filter = { NULL, NULL, NULL, NULL };
  guint status_index = gtk_drop_down_get_selected (self->status_dropdown);
  guint priority_index = gtk_drop_down_get_selected (self->priority_dropdown);
  guint assignee_index = gtk_drop_down_get_selected (self->assignee_dropdown);
  GtkWidget *child;
  g_autofree char *count = NULL;

  if (get_store (self) == NULL)
    return;
  crm_service_settings_clear (&self->settings);
  if (!crm_service_settings_load (get_store (self), &self->settings, &error))
    {
      show_error (self, error);
      return;
    }
  users = crm_user_directory_list (get_store (self), NULL);
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      CrmUserEntry *u = g_ptr_array_index (users, i);

      g_hash_table_insert (names, g_strdup (u->id), g_strdup (u->name));
    }

  filter.status = status_index < G_N_ELEMENTS (status_filters) ? status_filters[status_index] : NULL;
  filter.priority = priority_index < G_N_ELEMENTS (priority_filters) ? priority_filters[priority_index] : NULL;
  if (assignee_index == 1)
    filter.assignee_id = "";
  else if (assignee_index >= 2 && assignee_index - 2 < self->assignee_ids->len)
    filter.assignee_id = g_ptr_array_index (self->assignee_ids, assignee_index - 2);

  g_clear_pointer (&self->queue, g_ptr_array_unref);
  g_array_set_size (self->overdue, 0);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->queue_list))) != NULL)
    gtk_list_box_remove (self->queue_list, child);
  self->queue = crm_complaints_list (get_store (self), &filter, &error);
  if (self->queue == NULL)
    {
      show_error (self, error);
      return;
    }
  for (guint i = 0; i < self->queue->len; i++)
    {
      gboolean overdue = FALSE;
      GtkWidget *row = queue_row (self, g_ptr_array_index (self->queue, i), names, now, &overdue);

      g_array_append_val (self->overdue, overdue);
      gtk_list_box_append (self->queue_list, row);
    }
  count = g_strdup_printf (ngettext ("%u complaint", "%u complaints", self->queue->len), self->queue->len);
  gtk_label_set_text (self->count_label, count);
  gtk_stack_set_visible_child_name (self->list_stack, self->queue->len > 0 ? "list" : "empty");
  reload_metrics (self);
}

static void
reload_assignees (CrmServicePage *self)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) users = get_store (self) ? crm_user_directory_list (get_store (self), NULL) : NULL;

  g_ptr_array_set_size (self->assignee_ids, 0);
  gtk_string_list_append (list, _("Anyone"));
  gtk_string_list_append (list, _("Unassigned"));
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      CrmUserEntry *u = g_ptr_array_index (users, i);

      gtk_string_list_append (list, u->name);
      g_ptr_array_add (self->assignee_ids, g_strdup (u->id));
    }
  gtk_drop_down_set_model (self->assignee_dropdown, G_LIST_MODEL (list));
}

static void
on_filter_changed (CrmServicePage *self)
{
  reload_queue (self);
}

static void
on_store_changed (CrmServicePage *self,
                  const char     *table,
                  const char     *id)
{
  if (table == NULL || g_str_equal (table, "activities") || g_str_equal (table, "settings") ||
      g_str_equal (table, "contacts") || g_str_equal (table, "purchases"))
    reload_queue (self);
  if (table == NULL || g_str_equal (table, "users"))
    reload_assignees (self);
}

static gboolean
on_refresh (gpointer data)
{
  /* SLA timers move on by themselves. */
  reload_queue (data);
  return G_SOURCE_CONTINUE;
}

static void
sync_sla_widgets (CrmServicePage *self)
{
  gtk_spin_button_set_value (self->response_spin, self->settings.first_response_minutes / 60.0);
  gtk_spin_button_set_value (self->resolution_spin, self->settings.resolution_minutes / 60.0);
  gtk_check_button_set_active (self->auto_check, self->settings.auto_complaint);
}

static void
on_sla_save_clicked (CrmServicePage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "service.set-sla", "(iib)",
                              (int) round (gtk_spin_button_get_value (self->response_spin) * 60),
                              (int) round (gtk_spin_button_get_value (self->resolution_spin) * 60),
                              gtk_check_button_get_active (self->auto_check));
  gtk_popover_popdown (self->sla_popover);
}

/* --- actions -------------------------------------------------------------- */

static void
show_undo_toast (CrmServicePage *self,
                 const char     *title)
{
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "service.undo");
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
action_set_status (GtkWidget  *widget,
                   const char *name,
                   GVariant   *param)
{
  static const char * const columns[] = { "status", "first_response_at", "resolved_at", NULL };
  CrmServicePage *self = CRM_SERVICE_PAGE (widget);
  g_autoptr(CrmActivity) complaint = NULL;
  g_autoptr(CrmChangeSet) undo = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *now = NULL;
  const char *id, *status;

  g_variant_get (param, "(&s&s)", &id, &status);
  complaint = crm_store_get (get_store (self), CRM_TYPE_ACTIVITY, id, &error);
  if (complaint == NULL)
    {
      show_error (self, error);
      return;
    }
  if (self->fixed_now != NULL)
    now = g_date_time_format (self->fixed_now, "%Y-%m-%dT%H:%M:%SZ");
  undo = crm_change_set_new (get_store (self));
  crm_change_set_remember_fields (undo, CRM_RECORD (complaint), columns);
  if (!crm_complaint_set_status (get_store (self), complaint, status, now, &error))
    {
      show_error (self, error);
      return;
    }
  g_set_object (&self->undo, undo);
  /* TRANSLATORS: %s is a status: Open, In progress, Resolved, Closed */
  {
    g_autofree char *title = g_strdup_printf (_("Complaint now %s"), status_label (status));

    show_undo_toast (self, title);
  }
}

static void
action_set_satisfaction (GtkWidget  *widget,
                         const char *name,
                         GVariant   *param)
{
  static const char * const columns[] = { "satisfaction", NULL };
  CrmServicePage *self = CRM_SERVICE_PAGE (widget);
  g_autoptr(CrmActivity) complaint = NULL;
  g_autoptr(CrmChangeSet) undo = NULL;
  g_autoptr(GError) error = NULL;
  const char *id;
  int score;

  g_variant_get (param, "(&si)", &id, &score);
  complaint = crm_store_get (get_store (self), CRM_TYPE_ACTIVITY, id, &error);
  if (complaint == NULL)
    {
      show_error (self, error);
      return;
    }
  undo = crm_change_set_new (get_store (self));
  crm_change_set_remember_fields (undo, CRM_RECORD (complaint), columns);
  g_object_set (complaint, "satisfaction", (gint64) CLAMP (score, 1, 5), NULL);
  if (!crm_store_update (get_store (self), CRM_RECORD (complaint), &error))
    {
      show_error (self, error);
      return;
    }
  g_set_object (&self->undo, undo);
  show_undo_toast (self, _("Satisfaction recorded"));
}

static void
action_set_sla (GtkWidget  *widget,
                const char *name,
                GVariant   *param)
{
  CrmServicePage *self = CRM_SERVICE_PAGE (widget);
  g_autoptr(GError) error = NULL;
  int response, resolution;
  gboolean automatic;

  g_variant_get (param, "(iib)", &response, &resolution, &automatic);
  self->settings.first_response_minutes = response;
  self->settings.resolution_minutes = resolution;
  self->settings.auto_complaint = automatic;
  if (!crm_service_settings_save (get_store (self), &self->settings, &error))
    {
      show_error (self, error);
      return;
    }
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("SLA targets saved")));
}

static void
action_undo (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  CrmServicePage *self = CRM_SERVICE_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->undo != NULL && !crm_change_set_revert (self->undo, &error))
    show_error (self, error);
  g_clear_object (&self->undo);
}

static void
on_complaint_created (CrmServicePage *self,
                      const char     *id)
{
  g_autoptr(CrmActivity) complaint = crm_store_get (get_store (self), CRM_TYPE_ACTIVITY, id, NULL);
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (get_store (self));

  if (complaint == NULL)
    return;
  crm_change_set_remember_insert (undo, CRM_RECORD (complaint));
  g_set_object (&self->undo, undo);
  show_undo_toast (self, _("Complaint created"));
}

static void
action_new_complaint (GtkWidget  *widget,
                      const char *name,
                      GVariant   *param)
{
  CrmServicePage *self = CRM_SERVICE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (self->context == NULL)
    return;
  if (self->complaint_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->complaint_dialog));
      return;
    }
  self->complaint_dialog = crm_complaint_dialog_new (self->context);
  g_object_add_weak_pointer (G_OBJECT (self->complaint_dialog), (gpointer *) &self->complaint_dialog);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (self->complaint_dialog), GTK_WINDOW (root));
  g_signal_connect_object (self->complaint_dialog, "created", G_CALLBACK (on_complaint_created), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (self->complaint_dialog));
}

/* Ctrl+N anywhere in the window while this page is the one shown (the
 * page is unmapped when another workspace is). */
static gboolean
on_new_shortcut (GtkWidget *widget,
                 GVariant  *args,
                 gpointer   user_data)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  gtk_widget_activate_action (widget, "service.new-complaint", NULL);
  return TRUE;
}

static void
action_filter (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  CrmServicePage *self = CRM_SERVICE_PAGE (widget);
  const char *value = g_variant_get_string (param, NULL);
  gboolean is_status = g_str_equal (name, "service.filter-status");
  const char * const *values = is_status ? status_filters : priority_filters;
  guint n = is_status ? G_N_ELEMENTS (status_filters) : G_N_ELEMENTS (priority_filters);

  for (guint i = 0; i < n; i++)
    if ((values[i] == NULL && *value == '\0') || g_strcmp0 (values[i], value) == 0)
      gtk_drop_down_set_selected (is_status ? self->status_dropdown : self->priority_dropdown, i);
}

/* --- GObject -------------------------------------------------------------- */

static void
crm_service_page_dispose (GObject *object)
{
  CrmServicePage *self = (CrmServicePage *) object;

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_SERVICE_PAGE);
  g_clear_object (&self->context);
  g_clear_object (&self->undo);
  g_clear_pointer (&self->queue, g_ptr_array_unref);
  g_clear_pointer (&self->overdue, g_array_unref);
  g_clear_pointer (&self->assignee_ids, g_ptr_array_unref);
  g_clear_pointer (&self->fixed_now, g_date_time_unref);
  if (self->complaint_dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->complaint_dialog), (gpointer *) &self->complaint_dialog);
      gtk_window_destroy (GTK_WINDOW (self->complaint_dialog));
      self->complaint_dialog = NULL;
    }
  crm_service_settings_clear (&self->settings);

  G_OBJECT_CLASS (crm_service_page_parent_class)->dispose (object);
}

static void
crm_service_page_class_init (CrmServicePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_service_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-service-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, CrmServicePage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CrmServicePage, metrics_box);
  gtk_widget_class_bind_template_child (widget_class, CrmServicePage, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrmServicePage, priority_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrmServicePage, assignee_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrmServicePage, count_label);
  gtk_widget_class_bind_template_child (widget_class, CrmServicePage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, CrmServicePage, queue_list);
  gtk_widget_class_bind_template_child (widget_class, CrmServicePage, response_spin);
  gtk_widget_class_bind_template_child (widget_class, CrmServicePage, resolution_spin);
  gtk_widget_class_bind_template_child (widget_class, CrmServicePage, auto_check);
  gtk_widget_class_bind_template_child (widget_class, CrmServicePage, sla_popover);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_sla_save_clicked);

  gtk_widget_class_install_action (widget_class, "service.set-status", "(ss)", action_set_status);
  gtk_widget_class_install_action (widget_class, "service.set-satisfaction", "(si)", action_set_satisfaction);
  gtk_widget_class_install_action (widget_class, "service.set-sla", "(iib)", action_set_sla);
  gtk_widget_class_install_action (widget_class, "service.undo", NULL, action_undo);
  gtk_widget_class_install_action (widget_class, "service.filter-status", "s", action_filter);
  gtk_widget_class_install_action (widget_class, "service.filter-priority", "s", action_filter);
  gtk_widget_class_install_action (widget_class, "service.new-complaint", NULL, action_new_complaint);
}

static void
crm_service_page_init (CrmServicePage *self)
{
  g_autoptr(GtkStringList) statuses = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) priorities = gtk_string_list_new (NULL);

  self->overdue = g_array_new (FALSE, FALSE, sizeof (gboolean));
  self->assignee_ids = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_string_list_append (statuses, _("Not closed"));
  for (guint i = 1; i < G_N_ELEMENTS (status_filters); i++)
    gtk_string_list_append (statuses, status_label (status_filters[i]));
  gtk_string_list_append (priorities, _("Any priority"));
  for (guint i = 1; i < G_N_ELEMENTS (priority_filters); i++)
    gtk_string_list_append (priorities, priority_label (priority_filters[i]));
  gtk_drop_down_set_model (self->status_dropdown, G_LIST_MODEL (statuses));
  gtk_drop_down_set_model (self->priority_dropdown, G_LIST_MODEL (priorities));

  {
    GtkEventController *shortcuts = gtk_shortcut_controller_new ();

    gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts), GTK_SHORTCUT_SCOPE_GLOBAL);
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_n, GDK_CONTROL_MASK),
                                                            gtk_callback_action_new (on_new_shortcut, NULL, NULL)));
    gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
  }
}

void
crm_service_page_set_context (CrmServicePage *self,
                              CrmContext     *context)
{
  g_return_if_fail (CRM_IS_SERVICE_PAGE (self));
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  g_signal_connect_object (crm_context_get_store (context), "changed", G_CALLBACK (on_store_changed), self,
                           G_CONNECT_SWAPPED);
  reload_assignees (self);
  reload_queue (self);
  sync_sla_widgets (self);
  self->refresh_id = g_timeout_add_seconds (REFRESH_SECONDS, on_refresh, self);
}

GPtrArray *
crm_service_page_get_queue (CrmServicePage *self)
{
  g_return_val_if_fail (CRM_IS_SERVICE_PAGE (self), NULL);
  return self->queue;
}

gboolean
crm_service_page_is_overdue (CrmServicePage *self,
                             guint           index)
{
  g_return_val_if_fail (CRM_IS_SERVICE_PAGE (self), FALSE);
  return index < self->overdue->len && g_array_index (self->overdue, gboolean, index);
}

const CrmServiceMetrics *
crm_service_page_get_metrics (CrmServicePage *self)
{
  g_return_val_if_fail (CRM_IS_SERVICE_PAGE (self), NULL);
  return &self->metrics;
}

void
crm_service_page_set_now (CrmServicePage *self,
                          const char     *now)
{
  g_return_if_fail (CRM_IS_SERVICE_PAGE (self));

  g_clear_pointer (&self->fixed_now, g_date_time_unref);
  if (now != NULL)
    self->fixed_now = g_date_time_new_from_iso8601 (now, NULL);
  reload_queue (self);
}

CrmComplaintDialog *
crm_service_page_get_complaint_dialog (CrmServicePage *self)
{
  g_return_val_if_fail (CRM_IS_SERVICE_PAGE (self), NULL);
  return self->complaint_dialog;
}
