/* crm-smtp-group.c: the Email group of the preferences: SMTP relay, password in the keyring, test message, daily greetings */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "crm-smtp-group.h"
#include "crm-smtp-settings.h"

struct _CrmSmtpGroup
{
  AdwPreferencesGroup  parent_instance;

  GSettings           *settings;
  GCancellable        *cancellable;
  gboolean             busy;

  /* Template widgets */
  AdwEntryRow         *host_row;
  GtkSpinButton       *port_spin;
  AdwComboRow         *security_row;
  AdwEntryRow         *user_row;
  AdwPasswordEntryRow *password_row;
  AdwEntryRow         *from_row;
  AdwActionRow        *test_row;
  GtkSpinner          *test_spinner;
  GtkSwitch           *greetings_switch;
};

G_DEFINE_FINAL_TYPE (CrmSmtpGroup, crm_smtp_group, ADW_TYPE_PREFERENCES_GROUP)

static void
show_toast (CrmSmtpGroup *self,
            const char   *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), adw_toast_new (message));
}

static void
set_busy (CrmSmtpGroup *self,
          gboolean      busy,
          const char   *status,
          gboolean      is_error)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->test_spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "smtp.send-test", !busy);
  adw_action_row_set_subtitle (self->test_row, status);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->test_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->test_row), "error");
}

/* The combo lists the security choices in CrmSmtpSecurity order. */
static gboolean
security_get_mapping (GValue   *value,
                      GVariant *variant,
                      gpointer  user_data)
{
  g_value_set_uint (value, crm_smtp_security_from_string (g_variant_get_string (variant, NULL)));
  return TRUE;
}

static GVariant *
security_set_mapping (const GValue       *value,
                      const GVariantType *expected_type,
                      gpointer            user_data)
{
  return g_variant_new_string (crm_smtp_security_to_string (g_value_get_uint (value)));
}

/* Choosing TLS or STARTTLS moves a default port along with it. */
static void
on_security_changed (CrmSmtpGroup *self)
{
  guint port = (guint) gtk_spin_button_get_value (self->port_spin);
  guint selected = adw_combo_row_get_selected (self->security_row);

  if (selected == CRM_SMTP_SECURITY_TLS && port == 587)
    gtk_spin_button_set_value (self->port_spin, 465);
  else if (selected == CRM_SMTP_SECURITY_STARTTLS && port == 465)
    gtk_spin_button_set_value (self->port_spin, 587);
}

/* --- password and test message, in a thread (the keyring is D-Bus) ------- */

typedef struct
{
  CrmSmtpSettings *settings;
  char            *new_password;   /* NULL: use the stored one */
  gboolean         send;
} Job;

static void
job_free (Job *job)
{
  crm_smtp_settings_free (job->settings);
  if (job->new_password != NULL)
    explicit_bzero (job->new_password, strlen (job->new_password));
  g_free (job->new_password);
  g_free (job);
}

static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (job->new_password != NULL)
    {
      if (job->settings->user == NULL || *job->settings->user == '\0')
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                                   _("Enter the user name before the password."));
          return;
        }
      if (!crm_smtp_password_store (job->settings->host, job->settings->user, job->new_password, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  if (job->send)
    {
      if (!crm_smtp_settings_load_password (job->settings, &error) ||
          !crm_smtp_settings_send_test (job->settings, job->settings->from, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
job_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CrmSmtpGroup) self = user_data;
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE, error->message, TRUE);
      show_toast (self, error->message);
      return;
    }
  if (job->send)
    {
      g_autofree char *message = g_strdup_printf (_("Test message sent to %s"), job->settings->from);

      set_busy (self, FALSE, message, FALSE);
      show_toast (self, message);
    }
  else
    {
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
      set_busy (self, FALSE, _("Sent to the From address"), FALSE);
      show_toast (self, _("Password saved in the keyring"));
    }
}

static void
run_job (CrmSmtpGroup *self,
         const char   *new_password,
         gboolean      send)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  if (self->settings == NULL || self->busy)
    return;
  job = g_new0 (Job, 1);
  job->settings = crm_smtp_settings_load (self->settings);
  job->new_password = g_strdup (new_password);
  job->send = send;
  set_busy (self, TRUE, send ? _("Sending…") : _("Saving the password…"), FALSE);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->cancellable, job_done, g_object_ref (self));
  g_task_set_source_tag (task, run_job);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, job_thread);
}

static void
on_password_apply (CrmSmtpGroup *self)
{
  run_job (self, gtk_editable_get_text (GTK_EDITABLE (self->password_row)), FALSE);
}

static void
send_test_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmSmtpGroup *self = CRM_SMTP_GROUP (widget);
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  /* A password typed but not applied yet is saved first: the user means it. */
  run_job (self, *typed != '\0' ? typed : NULL, TRUE);
}

static void
set_password_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  run_job (CRM_SMTP_GROUP (widget), g_variant_get_string (parameter, NULL), FALSE);
}

/* ------------------------------------------------------------------------- */

void
crm_smtp_group_set_settings (CrmSmtpGroup *self,
                             GSettings    *settings)
{
  g_return_if_fail (CRM_IS_SMTP_GROUP (self));
  g_return_if_fail (self->settings == NULL);

  self->settings = g_object_ref (settings);
  g_settings_bind (settings, "smtp-host", self->host_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "smtp-port", self->port_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (settings, "smtp-security", self->security_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, security_get_mapping, security_set_mapping, NULL, NULL);
  g_settings_bind (settings, "smtp-user", self->user_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "smtp-from", self->from_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "greetings-daily", self->greetings_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->security_row, "notify::selected", G_CALLBACK (on_security_changed),
                           self, G_CONNECT_SWAPPED);
}

const char *
crm_smtp_group_get_status (CrmSmtpGroup *self)
{
  return adw_action_row_get_subtitle (self->test_row);
}

gboolean
crm_smtp_group_is_busy (CrmSmtpGroup *self)
{
  return self->busy;
}

static void
crm_smtp_group_dispose (GObject *object)
{
  CrmSmtpGroup *self = CRM_SMTP_GROUP (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_SMTP_GROUP);

  G_OBJECT_CLASS (crm_smtp_group_parent_class)->dispose (object);
}

static void
crm_smtp_group_class_init (CrmSmtpGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_smtp_group_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-smtp-group.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmSmtpGroup, host_row);
  gtk_widget_class_bind_template_child (widget_class, CrmSmtpGroup, port_spin);
  gtk_widget_class_bind_template_child (widget_class, CrmSmtpGroup, security_row);
  gtk_widget_class_bind_template_child (widget_class, CrmSmtpGroup, user_row);
  gtk_widget_class_bind_template_child (widget_class, CrmSmtpGroup, password_row);
  gtk_widget_class_bind_template_child (widget_class, CrmSmtpGroup, from_row);
  gtk_widget_class_bind_template_child (widget_class, CrmSmtpGroup, test_row);
  gtk_widget_class_bind_template_child (widget_class, CrmSmtpGroup, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, CrmSmtpGroup, greetings_switch);
  gtk_widget_class_bind_template_callback (widget_class, on_password_apply);

  gtk_widget_class_install_action (widget_class, "smtp.send-test", NULL, send_test_action);
  gtk_widget_class_install_action (widget_class, "smtp.set-password", "s", set_password_action);
}

static void
crm_smtp_group_init (CrmSmtpGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
