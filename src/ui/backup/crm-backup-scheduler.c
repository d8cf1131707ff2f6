/* crm-backup-scheduler.c: the daily backup, made in a thread while the app runs */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "crm-backup.h"
#include "crm-backup-scheduler.h"

/* The first check waits for the window to settle; a day-old backup is due. */
#define FIRST_CHECK_SECONDS 60
#define CHECK_INTERVAL_SECONDS 3600
#define DUE_AFTER_SECONDS (24 * 3600)

struct _CrmBackupScheduler
{
  GObject       parent_instance;

  char         *db_path;
  GSettings    *settings;
  GCancellable *cancellable;
  guint         timeout_id;
  gboolean      running;
};

G_DEFINE_FINAL_TYPE (CrmBackupScheduler, crm_backup_scheduler, G_TYPE_OBJECT)

enum {
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

char *
crm_backup_scheduler_dup_folder (GSettings *settings)
{
  g_autofree char *folder = g_settings_get_string (settings, "backup-folder");

  if (folder[0] != '\0')
    return g_steal_pointer (&folder);
  return g_build_filename (g_get_user_data_dir (), "crm", "backups", NULL);
}

typedef struct
{
  char *db_path;
  char *folder;
  guint keep;
} BackupJob;

static void
backup_job_free (BackupJob *job)
{
  g_free (job->db_path);
  g_free (job->folder);
  g_free (job);
}

static gboolean
is_due (const char *folder)
{
  g_autofree char *latest = crm_backup_find_latest (folder);
  GStatBuf st;

  if (latest == NULL || g_stat (latest, &st) != 0)
    return TRUE;
  return (g_get_real_time () / G_USEC_PER_SEC) - st.st_mtime >= DUE_AFTER_SECONDS;
}

static void
backup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  BackupJob *job = task_data;
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *path = NULL;
  GError *error = NULL;

  if (!is_due (job->folder))
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  /* Its own read-only connection: the window's belongs to the main thread. */
  store = crm_store_open_full (job->db_path, CRM_STORE_OPEN_READ_ONLY, &error);
  now = g_date_time_new_now_utc ();
  if (store != NULL)
    path = crm_backup_rotate (store, job->folder, job->keep, NULL, now, &error);
  if (path == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&path), g_free);
}

static void
on_backup_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CrmBackupScheduler *self = CRM_BACKUP_SCHEDULER (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_task_propagate_pointer (G_TASK (result), &error);

  self->running = FALSE;
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("The daily backup failed: %s"), error->message);

      g_signal_emit (self, signals[FAILED], 0, message);
    }
  else if (path != NULL)
    g_debug ("Daily backup written to %s", path);
}

static gboolean
check_now (gpointer user_data)
{
  CrmBackupScheduler *self = user_data;
  g_autoptr(GTask) task = NULL;
  BackupJob *job;

  self->timeout_id = g_timeout_add_seconds (CHECK_INTERVAL_SECONDS, check_now, self);
  if (self->running || !g_settings_get_boolean (self->settings, "backup-daily"))
    return G_SOURCE_REMOVE;

  job = g_new0 (BackupJob, 1);
  job->db_path = g_strdup (self->db_path);
  job->folder = crm_backup_scheduler_dup_folder (self->settings);
  job->keep = g_settings_get_uint (self->settings, "backup-keep");
  self->running = TRUE;

  task = g_task_new (self, self->cancellable, on_backup_done, NULL);
  g_task_set_source_tag (task, check_now);
  g_task_set_task_data (task, job, (GDestroyNotify) backup_job_free);
  g_task_run_in_thread (task, backup_thread);
  return G_SOURCE_REMOVE;
}

static void
crm_backup_scheduler_dispose (GObject *object)
{
  CrmBackupScheduler *self = CRM_BACKUP_SCHEDULER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (crm_backup_scheduler_parent_class)->dispose (object);
}

static void
crm_backup_scheduler_finalize (GObject *object)
{
  CrmBackupScheduler *self = CRM_BACKUP_SCHEDULER (object);

  g_clear_object (&self->cancellable);
  g_free (self->db_path);

  G_OBJECT_CLASS (crm_backup_scheduler_parent_class)->finalize (object);
}

static void
crm_backup_scheduler_class_init (CrmBackupSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_backup_scheduler_dispose;
  object_class->finalize = crm_backup_scheduler_finalize;

  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
crm_backup_scheduler_init (CrmBackupScheduler *self)
{
  self->cancellable = g_cancellable_new ();
}

CrmBackupScheduler *
crm_backup_scheduler_new (const char *db_path,
                          GSettings  *settings)
{
  CrmBackupScheduler *self;

  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (CRM_TYPE_BACKUP_SCHEDULER, NULL);
  self->db_path = g_strdup (db_path);
  self->settings = g_object_ref (settings);
  self->timeout_id = g_timeout_add_seconds (FIRST_CHECK_SECONDS, check_now, self);
  return self;
}
