/* crm-service.h: complaints: status workflow, SLA targets and timers, the service queue and its metrics */
#pragma once

#include "crm-activity.h"
#include "crm-analytics.h"
#include "crm-store.h"

G_BEGIN_DECLS

/* Defaults of the SLA targets, in minutes. */
#define CRM_SERVICE_DEFAULT_FIRST_RESPONSE_MINUTES (4 * 60)
#define CRM_SERVICE_DEFAULT_RESOLUTION_MINUTES (48 * 60)

/* Kept in the store's settings table, so the app and crmctl agree. */
typedef struct
{
  gint64    first_response_minutes;
  gint64    resolution_minutes;
  gboolean  auto_complaint;       /* open a follow-up for detractors */
  char     *complaint_assignee;   /* NULL: the contact's owner */
} CrmServiceSettings;

gboolean crm_service_settings_load  (CrmStore                  *store,
                                     CrmServiceSettings        *out,
                                     GError                   **error);
gboolean crm_service_settings_save  (CrmStore                  *store,
                                     const CrmServiceSettings  *settings,
                                     GError                   **error);
void     crm_service_settings_clear (CrmServiceSettings        *settings);

/* "open", "in_progress", "resolved", "closed" */
gboolean crm_complaint_status_is_valid (const char *status);
/* Where a complaint may go from @from: forward (also skipping steps), and
 * back to open or in progress when a resolved or closed one comes back. */
gboolean crm_complaint_can_move        (const char *from,
                                        const char *to);
/* Sets the status on @complaint (not yet stored: crm_store_update it, or
 * let crm_complaint_set_status do it) and the times that go with it:
 * leaving open is the first response, resolving sets resolved_at (and the
 * first response if there was none), reopening clears resolved_at.
 * @now: ISO 8601 UTC, NULL for now. */
gboolean crm_complaint_apply_status    (CrmActivity  *complaint,
                                        const char   *status,
                                        const char   *now,
                                        GError      **error);
gboolean crm_complaint_set_status      (CrmStore     *store,
                                        CrmActivity  *complaint,
                                        const char   *status,
                                        const char   *now,
                                        GError      **error);

/* A complaint someone reports (not a survey's follow-up), stored: for
 * the live contact @contact_id, @description not empty (its first line,
 * shortened, is the subject), @priority low/normal/high/urgent (NULL:
 * normal), @category free text (NULL or empty: none), @assignee_id NULL
 * for the contact's owner. CRM_STORE_ERROR_INVALID says what is wrong. */
CrmActivity *crm_complaint_create      (CrmStore     *store,
                                        const char   *contact_id,
                                        const char   *category,
                                        const char   *priority,
                                        const char   *description,
                                        const char   *assignee_id,
                                        GError      **error);

/* SLA of one complaint at @now. A due time is G_MININT64 when there is
 * none (no target); "late" means the step was (or still is not) done by
 * its due time. Times are UTC microseconds, so a target runs across
 * midnight, month ends and DST changes as elapsed time. */
typedef struct
{
  gint64   response_due;
  gint64   resolution_due;
  gboolean response_late;
  gboolean resolution_late;
} CrmSlaState;

gboolean crm_complaint_sla             (const char                *created_at,
                                        const char                *first_response_at,
                                        const char                *resolved_at,
                                        const CrmServiceSettings  *settings,
                                        GDateTime                 *now,
                                        CrmSlaState               *out);
/* Overdue now: open work past a due time (late and not done yet). */
gboolean crm_sla_state_is_overdue      (const CrmSlaState         *state,
                                        const char                *first_response_at,
                                        const char                *resolved_at);

typedef struct
{
  const char *status;        /* NULL: every status but closed */
  const char *assignee_id;   /* NULL: anyone; "" unassigned */
  const char *priority;      /* NULL: any */
  const char *category;      /* NULL: any */
} CrmComplaintFilter;

/* CrmActivity complaints: unresolved before resolved, urgent first, then
 * oldest first. */
GPtrArray *crm_complaints_list         (CrmStore                  *store,
                                        const CrmComplaintFilter  *filter,
                                        GError                   **error);

typedef struct
{
  CrmServiceTimes times;       /* complaints created in the period (DESIGN §6) */
  gint64 backlog;              /* not resolved or closed now, whenever created */
  gint64 overdue;              /* of the backlog, past an SLA due time */
  gint64 customers;            /* active customers at the period's end */
  double per_thousand;         /* complaints in the period per 1,000 of them; NaN without */
  gint64 rated;                /* resolved complaints of the period with a satisfaction */
  double satisfaction;         /* their average (1–5), NaN without */
} CrmServiceMetrics;

gboolean crm_service_metrics           (CrmStore                  *store,
                                        const CrmAnalyticsQuery   *query,
                                        const CrmServiceSettings  *settings,
                                        GDateTime                 *now,
                                        CrmServiceMetrics         *out,
                                        GError                   **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CrmServiceSettings, crm_service_settings_clear)

G_END_DECLS
