/* crm-greetings-scheduler.h: sends the day's birthday and holiday greetings by email while the app runs */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CRM_TYPE_GREETINGS_SCHEDULER (crm_greetings_scheduler_get_type ())

G_DECLARE_FINAL_TYPE (CrmGreetingsScheduler, crm_greetings_scheduler, CRM, GREETINGS_SCHEDULER, GObject)

/* With greetings-daily on, sends soon after start and then once each new
 * day (checked hourly) through the smtp-* settings, in a thread on its own
 * connection; the core records each greeting so nobody gets one twice.
 * Emits "sent" (count) after a run that sent some and "failed" (message)
 * when the relay could not be used. */
CrmGreetingsScheduler *crm_greetings_scheduler_new       (const char            *db_path,
                                                          GSettings             *settings);
/* Runs now, for tests and "Send now": @date "YYYY-MM-DD" or NULL (today). */
void                   crm_greetings_scheduler_run       (CrmGreetingsScheduler *self,
                                                          const char            *date);
gboolean               crm_greetings_scheduler_is_running (CrmGreetingsScheduler *self);

G_END_DECLS
