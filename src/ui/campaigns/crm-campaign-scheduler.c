/* crm-campaign-scheduler.c: launches scheduled campaigns when they are due while the app runs, and sends the email ones */

#include "config.h"

#include <glib/gi18n.h>

#include "crm-campaign-scheduler.h"
#include "crm-campaign-sender.h"
#include "crm-campaigns.h"
#include "crm-smtp-settings.h"

#define CHECK_INTERVAL_SECONDS 60

struct _CrmCampaignScheduler
{
  GObject       parent_instance;

  char         *db_path;
  GSettings    *settings;
  GCancellable *cancellable;
  guint         timeout_id;
  gboolean      running;
};

G_DEFINE_FINAL_TYPE (CrmCampaignScheduler, crm_campaign_scheduler, G_TYPE_OBJECT)

enum {
  LAUNCHED,
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  char            *db_path;
  CrmSmtpSettings *smtp;
  char            *survey_base_url;
  GPtrArray       *launched;      /* names */
  GPtrArray       *failures;      /* messages */
} Job;

static void
job_free (Job *job)
{
  g_free (job->db_path);
  crm_smtp_settings_free (job->smtp);
  g_free (job->survey_base_url);
  g_clear_pointer (&job->launched, g_ptr_array_unref);
  g_clear_pointer (&job->failures, g_ptr_array_unref);
  g_free (job);
}

/* Sends a just-launched email campaign; a failure leaves its members
 * pending for Send on the Campaigns page. */
static void
send_campaign (Job          *job,
               CrmStore     *store,
               CrmCampaign  *campaign,
               GCancellable *cancellable)
{
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  CrmSmtpConfig config;

  if (!crm_smtp_settings_check (job->smtp, &error) || !crm_smtp_settings_load_password (job->smtp, &error))
    goto fail;
  url = crm_smtp_settings_dup_url (job->smtp);
  crm_smtp_config_init (&config);
  crm_smtp_settings_apply (job->smtp, url, &config);
  config.survey_base_url = job->survey_base_url;
  if (crm_campaign_send_email (store, crm_record_get_id (CRM_RECORD (campaign)), &config, cancellable,
                               NULL, NULL, NULL, &error))
    return;

fail:
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* TRANSLATORS: "“新品通知” was launched but not sent: …" */
    g_ptr_array_add (job->failures, g_strdup_printf (_("“%s” was launched but not sent: %s"),
                                                     crm_record_get_string (CRM_RECORD (campaign), "name"),
                                                     error->message));
}

static void
launch_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  GError *error = NULL;

  if ((store = crm_store_open (job->db_path, &error)) == NULL ||
      (ids = crm_campaign_launch_due (store, NULL, &job->failures, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(CrmCampaign) campaign = crm_store_get (store, CRM_TYPE_CAMPAIGN, g_ptr_array_index (ids, i), NULL);

      if (campaign == NULL)
        continue;
      g_ptr_array_add (job->launched, g_strdup (crm_record_get_string (CRM_RECORD (campaign), "name")));
      if (g_strcmp0 (crm_record_get_string (CRM_RECORD (campaign), "channel"), "email") == 0)
        send_campaign (job, store, campaign, cancellable);
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  CrmCampaignScheduler *self = CRM_CAMPAIGN_SCHEDULER (source);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->running = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_signal_emit (self, signals[FAILED], 0, error->message);
      return;
    }
  if (job->launched->len > 0)
    {
      g_ptr_array_add (job->launched, NULL);
      g_signal_emit (self, signals[LAUNCHED], 0, (const char * const *) job->launched->pdata);
    }
  for (guint i = 0; i < job->failures->len; i++)
    g_signal_emit (self, signals[FAILED], 0, g_ptr_array_index (job->failures, i));
}

void
crm_campaign_scheduler_run (CrmCampaignScheduler *self)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (CRM_IS_CAMPAIGN_SCHEDULER (self));

  if (self->running)
    return;
  job = g_new0 (Job, 1);
  job->db_path = g_strdup (self->db_path);
  job->smtp = crm_smtp_settings_load (self->settings);
  job->survey_base_url = g_settings_get_string (self->settings, "sync-server");
  job->launched = g_ptr_array_new_with_free_func (g_free);
  job->failures = g_ptr_array_new_with_free_func (g_free);
  self->running = TRUE;
  task = g_task_new (self, self->cancellable, on_run_done, NULL);
  g_task_set_source_tag (task, crm_campaign_scheduler_run);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, launch_thread);
}

gboolean
crm_campaign_scheduler_is_running (CrmCampaignScheduler *self)
{
  return self->running;
}

static gboolean
check_now (gpointer user_data)
{
  crm_campaign_scheduler_run (user_data);
  return G_SOURCE_CONTINUE;
}

CrmCampaignScheduler *
crm_campaign_scheduler_new (const char *db_path,
                            GSettings  *settings)
{
  CrmCampaignScheduler *self = g_object_new (CRM_TYPE_CAMPAIGN_SCHEDULER, NULL);

  self->db_path = g_strdup (db_path);
  self->settings = g_object_ref (settings);
  self->timeout_id = g_timeout_add_seconds (CHECK_INTERVAL_SECONDS, check_now, self);
  return self;
}

static void
crm_campaign_scheduler_dispose (GObject *object)
{
  CrmCampaignScheduler *self = CRM_CAMPAIGN_SCHEDULER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (crm_campaign_scheduler_parent_class)->dispose (object);
}

static void
crm_campaign_scheduler_finalize (GObject *object)
{
  CrmCampaignScheduler *self = CRM_CAMPAIGN_SCHEDULER (object);

  g_clear_object (&self->cancellable);
  g_free (self->db_path);

  G_OBJECT_CLASS (crm_campaign_scheduler_parent_class)->finalize (object);
}

static void
crm_campaign_scheduler_class_init (CrmCampaignSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_campaign_scheduler_dispose;
  object_class->finalize = crm_campaign_scheduler_finalize;

  signals[LAUNCHED] = g_signal_new ("launched", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRV);
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
crm_campaign_scheduler_init (CrmCampaignScheduler *self)
{
  self->cancellable = g_cancellable_new ();
}
