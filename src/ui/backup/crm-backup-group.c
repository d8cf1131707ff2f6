/* crm-backup-group.c: the Backups group of the preferences: schedule, folder, back up now, restore */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "crm-backup.h"
#include "crm-backup-cipher.h"
#include "crm-backup-group.h"
#include "crm-backup-scheduler.h"

struct _CrmBackupGroup
{
  AdwPreferencesGroup  parent_instance;

  CrmContext          *context;
  GCancellable        *cancellable;

  /* Template widgets */
  GtkSwitch           *daily_switch;
  GtkSpinButton       *keep_spin;
  AdwActionRow        *folder_row;
};

G_DEFINE_FINAL_TYPE (CrmBackupGroup, crm_backup_group, ADW_TYPE_PREFERENCES_GROUP)

enum {
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_toast (CrmBackupGroup *self,
            const char     *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), adw_toast_new (message));
}

static void
set_busy (CrmBackupGroup *self,
          gboolean        busy)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backup.back-up", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backup.ask-back-up", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backup.restore", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backup.choose-restore", !busy);
}

static void
update_folder_row (CrmBackupGroup *self)
{
  g_autofree char *folder = crm_backup_scheduler_dup_folder (crm_context_get_settings (self->context));

  adw_action_row_set_subtitle (self->folder_row, folder);
}

/* --- Back up --------------------------------------------------------------- */

typedef struct
{
  char *db_path;
  char *source;       /* restore only */
  char *folder;       /* back up only */
  char *passphrase;   /* NULL: not encrypted */
  guint keep;
} Job;

static void
job_free (Job *job)
{
  g_free (job->db_path);
  g_free (job->source);
  g_free (job->folder);
  if (job->passphrase != NULL)
    memset (job->passphrase, 0, strlen (job->passphrase));
  g_free (job->passphrase);
  g_free (job);
}

static void
back_up_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GError *error = NULL;
  char *path = NULL;

  /* Its own connection: the window's store belongs to the main thread. */
  store = crm_store_open_full (job->db_path, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store != NULL)
    path = crm_backup_rotate (store, job->folder, job->keep, job->passphrase, now, &error);
  if (path == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, path, g_free);
}

static void
on_back_up_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CrmBackupGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *message = NULL;

  set_busy (self, FALSE);
  if (path == NULL)
    message = g_strdup_printf (_("The backup failed: %s"), error->message);
  else
    message = g_strdup_printf (_("Backed up to %s"), path);
  show_toast (self, message);
  g_signal_emit (self, signals[DONE], 0, path != NULL, message);
}

/* backup.back-up(s): a backup into the folder now; the passphrase may be "". */
static void
back_up_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CrmBackupGroup *self = CRM_BACKUP_GROUP (widget);
  GSettings *settings = crm_context_get_settings (self->context);
  const char *passphrase = g_variant_get_string (parameter, NULL);
  g_autoptr(GTask) task = NULL;
  Job *job = g_new0 (Job, 1);

  job->db_path = g_strdup (crm_store_get_path (crm_context_get_store (self->context)));
  job->folder = crm_backup_scheduler_dup_folder (settings);
  job->keep = g_settings_get_uint (settings, "backup-keep");
  job->passphrase = passphrase[0] != '\0' ? g_strdup (passphrase) : NULL;

  set_busy (self, TRUE);
  show_toast (self, _("Backing up…"));
  task = g_task_new (NULL, self->cancellable, on_back_up_done, g_object_ref (self));
  g_task_set_source_tag (task, back_up_action);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, back_up_thread);
}

static GtkWidget *
new_passphrase_entry (const char *placeholder)
{
  GtkWidget *entry = gtk_password_entry_new ();

  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
  g_object_set (entry, "placeholder-text", placeholder, "activates-default", TRUE, NULL);
  return entry;
}

static void
on_back_up_response (AdwMessageDialog *dialog,
                     const char       *response,
                     CrmBackupGroup   *self)
{
  GtkEditable *first = g_object_get_data (G_OBJECT (dialog), "first");
  GtkEditable *second = g_object_get_data (G_OBJECT (dialog), "second");
  const char *passphrase = gtk_editable_get_text (first);

  if (!g_str_equal (response, "back-up"))
    return;
  if (!g_str_equal (passphrase, gtk_editable_get_text (second)))
    {
      show_toast (self, _("The two passphrases differ, so nothing was backed up. Try again."));
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "backup.back-up", "s", passphrase);
}

static void
ask_back_up_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrmBackupGroup *self = CRM_BACKUP_GROUP (widget);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *first = new_passphrase_entry (_("Passphrase (optional)"));
  GtkWidget *second = new_passphrase_entry (_("Passphrase again"));
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), _("Back Up Now?"),
                                                       _("A copy of all data goes to the backup folder. With a passphrase the copy is encrypted: keep the passphrase safe, without it the backup cannot be restored. Without one, anyone with the file can read your customers.")));
  gtk_box_append (GTK_BOX (box), first);
  gtk_box_append (GTK_BOX (box), second);
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "back-up", _("_Back Up"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "back-up", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "back-up");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "first", first);
  g_object_set_data (G_OBJECT (dialog), "second", second);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_back_up_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- Restore --------------------------------------------------------------- */

static void
restore_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(CrmStore) store = NULL;
  GError *error = NULL;

  /* A second connection to the same file: the restore replaces its
   * contents in one transaction, which the window's connection then reads. */
  store = crm_store_open (job->db_path, &error);
  if (store == NULL || !crm_backup_restore (store, job->source, job->passphrase, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_restore_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CrmBackupGroup) self = user_data;
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  set_busy (self, FALSE);
  if (ok)
    {
      g_autofree char *name = g_path_get_basename (job->source);

      /* Every open view reloads from the restored data. */
      crm_store_emit_changed (crm_context_get_store (self->context), NULL);
      message = g_strdup_printf (_("Restored from %s; the previous data is kept as %s.bak"), name, job->db_path);
    }
  else
    message = g_strdup (error->message);
  show_toast (self, message);
  g_signal_emit (self, signals[DONE], 0, ok, message);
}

/* backup.restore((ss)): the backup file and its passphrase ("" for none). */
static void
restore_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CrmBackupGroup *self = CRM_BACKUP_GROUP (widget);
  g_autoptr(GTask) task = NULL;
  const char *source, *passphrase;
  Job *job = g_new0 (Job, 1);

  g_variant_get (parameter, "(&s&s)", &source, &passphrase);
  job->db_path = g_strdup (crm_store_get_path (crm_context_get_store (self->context)));
  job->source = g_strdup (source);
  job->passphrase = passphrase[0] != '\0' ? g_strdup (passphrase) : NULL;

  set_busy (self, TRUE);
  show_toast (self, _("Checking and restoring the backup…"));
  task = g_task_new (NULL, self->cancellable, on_restore_done, g_object_ref (self));
  g_task_set_source_tag (task, restore_action);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, restore_thread);
}

static void
on_restore_response (AdwMessageDialog *dialog,
                     const char       *response,
                     CrmBackupGroup   *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "passphrase");
  const char *source = g_object_get_data (G_OBJECT (dialog), "source");

  if (g_str_equal (response, "restore"))
    gtk_widget_activate_action (GTK_WIDGET (self), "backup.restore", "(ss)", source,
                                entry != NULL ? gtk_editable_get_text (entry) : "");
}

static void
ask_restore (CrmBackupGroup *self,
             const char     *source)
{
  g_autofree char *name = g_path_get_basename (source);
  g_autofree char *body = g_strdup_printf (_("All data in this database is replaced by the backup “%s”. The backup is checked first; the current data is kept as %s.bak."),
                                           name, crm_store_get_path (crm_context_get_store (self->context)));
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                                       _("Restore This Backup?"), body));
  if (crm_backup_cipher_is_encrypted (source))
    {
      GtkWidget *entry = new_passphrase_entry (_("Passphrase of the backup"));

      adw_message_dialog_set_extra_child (dialog, entry);
      g_object_set_data (G_OBJECT (dialog), "passphrase", entry);
    }
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "restore", _("_Restore"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "restore", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "source", g_strdup (source), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_restore_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_restore_chosen (GtkNativeDialog *chooser,
                   int              response,
                   CrmBackupGroup  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        ask_restore (self, path);
    }
  g_object_unref (chooser);
  g_object_unref (self);
}

static void
choose_restore_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  CrmBackupGroup *self = CRM_BACKUP_GROUP (widget);
  g_autofree char *folder_path = crm_backup_scheduler_dup_folder (crm_context_get_settings (self->context));
  g_autoptr(GFile) folder = g_file_new_for_path (folder_path);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Restore a Backup"), GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  g_signal_connect (chooser, "response", G_CALLBACK (on_restore_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* --- Folder ---------------------------------------------------------------- */

static void
on_folder_chosen (GtkNativeDialog *chooser,
                  int              response,
                  CrmBackupGroup  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        g_settings_set_string (crm_context_get_settings (self->context), "backup-folder", path);
    }
  g_object_unref (chooser);
  g_object_unref (self);
}

static void
choose_folder_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmBackupGroup *self = CRM_BACKUP_GROUP (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Backup Folder"), GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_folder_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* --- Object ---------------------------------------------------------------- */

void
crm_backup_group_set_context (CrmBackupGroup *self,
                              CrmContext     *context)
{
  GSettings *settings;

  g_return_if_fail (CRM_IS_BACKUP_GROUP (self));
  g_return_if_fail (CRM_IS_CONTEXT (context));

  if (self->context == context)
    return;
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  settings = crm_context_get_settings (context);
  g_settings_bind (settings, "backup-daily", self->daily_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "backup-keep", self->keep_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (settings, "changed::backup-folder", G_CALLBACK (update_folder_row), self, G_CONNECT_SWAPPED);
  update_folder_row (self);
  set_busy (self, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backup.choose-folder", TRUE);
}

static void
crm_backup_group_dispose (GObject *object)
{
  CrmBackupGroup *self = CRM_BACKUP_GROUP (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_BACKUP_GROUP);

  G_OBJECT_CLASS (crm_backup_group_parent_class)->dispose (object);
}

static void
crm_backup_group_finalize (GObject *object)
{
  CrmBackupGroup *self = CRM_BACKUP_GROUP (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (crm_backup_group_parent_class)->finalize (object);
}

static void
crm_backup_group_class_init (CrmBackupGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_backup_group_dispose;
  object_class->finalize = crm_backup_group_finalize;

  /* Emitted when a back up or restore finished: (succeeded, message). */
  signals[DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-backup-group.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmBackupGroup, daily_switch);
  gtk_widget_class_bind_template_child (widget_class, CrmBackupGroup, keep_spin);
  gtk_widget_class_bind_template_child (widget_class, CrmBackupGroup, folder_row);

  gtk_widget_class_install_action (widget_class, "backup.back-up", "s", back_up_action);
  gtk_widget_class_install_action (widget_class, "backup.ask-back-up", NULL, ask_back_up_action);
  gtk_widget_class_install_action (widget_class, "backup.restore", "(ss)", restore_action);
  gtk_widget_class_install_action (widget_class, "backup.choose-restore", NULL, choose_restore_action);
  gtk_widget_class_install_action (widget_class, "backup.choose-folder", NULL, choose_folder_action);
}

static void
crm_backup_group_init (CrmBackupGroup *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Nothing to back up until the window's database is known. */
  set_busy (self, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backup.choose-folder", FALSE);
}
