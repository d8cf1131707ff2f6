/* crm-greetings-scheduler.c: sends the day's birthday and holiday greetings by email while the app runs */

#include "config.h"

#include <glib/gi18n.h>

#include "crm-greetings.h"
#include "crm-greetings-scheduler.h"
#include "crm-smtp-settings.h"

/* The first run waits for the window to settle. */
#define FIRST_CHECK_SECONDS 30
#define CHECK_INTERVAL_SECONDS 3600

struct _CrmGreetingsScheduler
{
  GObject       parent_instance;

  char         *db_path;
  GSettings    *settings;
  GCancellable *cancellable;
  guint         timeout_id;
  gboolean      running;
  char         *done_day;      /* the local day of the last complete run */
};

G_DEFINE_FINAL_TYPE (CrmGreetingsScheduler, crm_greetings_scheduler, G_TYPE_OBJECT)

enum {
  SENT,
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  char            *db_path;
  char            *date;
  CrmSmtpSettings *smtp;
  guint            sent;
  guint            failed;
} Job;

static void
job_free (Job *job)
{
  g_free (job->db_path);
  g_free (job->date);
  crm_smtp_settings_free (job->smtp);
  g_free (job);
}

static void
greetings_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(CrmStore) store = NULL;
  g_autofree char *url = NULL;
  GError *error = NULL;
  CrmSmtpConfig config;

  if (!crm_smtp_settings_check (job->smtp, &error) ||
      !crm_smtp_settings_load_password (job->smtp, &error) ||
      (store = crm_store_open (job->db_path, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  url = crm_smtp_settings_dup_url (job->smtp);
  crm_smtp_config_init (&config);
  crm_smtp_settings_apply (job->smtp, url, &config);
  if (!crm_greetings_send_due (store, job->date, &config, NULL, cancellable, &job->sent, &job->failed, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  CrmGreetingsScheduler *self = CRM_GREETINGS_SCHEDULER (source);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->running = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("Greetings were not sent: %s"), error->message);
      g_signal_emit (self, signals[FAILED], 0, message);
      return;
    }
  /* Refused ones are tried again at the next hourly check. */
  if (job->failed == 0)
    {
      g_free (self->done_day);
      self->done_day = g_strdup (job->date);
    }
  if (job->sent > 0)
    g_signal_emit (self, signals[SENT], 0, job->sent);
}

void
crm_greetings_scheduler_run (CrmGreetingsScheduler *self,
                             const char            *date)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  Job *job;

  g_return_if_fail (CRM_IS_GREETINGS_SCHEDULER (self));

  if (self->running)
    return;
  job = g_new0 (Job, 1);
  job->db_path = g_strdup (self->db_path);
  job->date = date != NULL ? g_strdup (date) : g_date_time_format (now, "%Y-%m-%d");
  job->smtp = crm_smtp_settings_load (self->settings);
  self->running = TRUE;
  task = g_task_new (self, self->cancellable, on_run_done, NULL);
  g_task_set_source_tag (task, crm_greetings_scheduler_run);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, greetings_thread);
}

static gboolean
check_now (gpointer user_data)
{
  CrmGreetingsScheduler *self = user_data;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

  self->timeout_id = g_timeout_add_seconds (CHECK_INTERVAL_SECONDS, check_now, self);
  if (g_settings_get_boolean (self->settings, "greetings-daily") && g_strcmp0 (self->done_day, today) != 0)
    crm_greetings_scheduler_run (self, today);
  return G_SOURCE_REMOVE;
}

gboolean
crm_greetings_scheduler_is_running (CrmGreetingsScheduler *self)
{
  return self->running;
}

static void
crm_greetings_scheduler_dispose (GObject *object)
{
  CrmGreetingsScheduler *self = CRM_GREETINGS_SCHEDULER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (crm_greetings_scheduler_parent_class)->dispose (object);
}

static void
crm_greetings_scheduler_finalize (GObject *object)
{
  CrmGreetingsScheduler *self = CRM_GREETINGS_SCHEDULER (object);

  g_clear_object (&self->cancellable);
  g_free (self->db_path);
  g_free (self->done_day);

  G_OBJECT_CLASS (crm_greetings_scheduler_parent_class)->finalize (object);
}

static void
crm_greetings_scheduler_class_init (CrmGreetingsSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_greetings_scheduler_dispose;
  object_class->finalize = crm_greetings_scheduler_finalize;

  signals[SENT] = g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
crm_greetings_scheduler_init (CrmGreetingsScheduler *self)
{
  self->cancellable = g_cancellable_new ();
}

CrmGreetingsScheduler *
crm_greetings_scheduler_new (const char *db_path,
                             GSettings  *settings)
{
  CrmGreetingsScheduler *self = g_object_new (CRM_TYPE_GREETINGS_SCHEDULER, NULL);

  self->db_path = g_strdup (db_path);
  self->settings = g_object_ref (settings);
  self->timeout_id = g_timeout_add_seconds (FIRST_CHECK_SECONDS, check_now, self);
  return self;
}
