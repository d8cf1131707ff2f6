/* crm-service.c: complaints: status workflow, SLA targets and timers, the service queue and its metrics */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "crm-contact.h"
#include "crm-service.h"
#include "crm-store-private.h"

#define KEY_FIRST_RESPONSE "service.first_response_minutes"
#define KEY_RESOLUTION "service.resolution_minutes"
#define KEY_AUTO_COMPLAINT "service.auto_complaint"
#define KEY_ASSIGNEE "service.complaint_assignee"

static const char * const statuses[] = { "open", "in_progress", "resolved", "closed", NULL };

static gint64
minutes_or (const char *text,
            gint64      fallback)
{
  gint64 value;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, 0, 365 * 24 * 60, &value, NULL))
    return fallback;
  return value;
}

gboolean
crm_service_settings_load (CrmStore            *store,
                           CrmServiceSettings  *out,
                           GError             **error)
{
  g_autofree char *first = NULL;
  g_autofree char *resolution = NULL;
  g_autofree char *automatic = NULL;
  g_autofree char *assignee = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);

  memset (out, 0, sizeof *out);
  if (!crm_store_get_setting (store, KEY_FIRST_RESPONSE, &first, error) ||
      !crm_store_get_setting (store, KEY_RESOLUTION, &resolution, error) ||
      !crm_store_get_setting (store, KEY_AUTO_COMPLAINT, &automatic, error) ||
      !crm_store_get_setting (store, KEY_ASSIGNEE, &assignee, error))
    return FALSE;
  out->first_response_minutes = minutes_or (first, CRM_SERVICE_DEFAULT_FIRST_RESPONSE_MINUTES);
  out->resolution_minutes = minutes_or (resolution, CRM_SERVICE_DEFAULT_RESOLUTION_MINUTES);
  out->auto_complaint = g_strcmp0 (automatic, "0") != 0;
  out->complaint_assignee = assignee != NULL && *assignee != '\0' ? g_steal_pointer (&assignee) : NULL;
  return TRUE;
}

gboolean
crm_service_settings_save (CrmStore                  *store,
                           const CrmServiceSettings  *settings,
                           GError                   **error)
{
  g_autofree char *first = NULL;
  g_autofree char *resolution = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);

  if (settings->first_response_minutes < 0 || settings->resolution_minutes < 0 ||
      settings->first_response_minutes > 365 * 24 * 60 || settings->resolution_minutes > 365 * 24 * 60)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("SLA targets must be from 0 (none) to 365 days."));
      return FALSE;
    }
  first = g_strdup_printf ("%" G_GINT64_FORMAT, settings->first_response_minutes);
  resolution = g_strdup_printf ("%" G_GINT64_FORMAT, settings->resolution_minutes);
  if (!crm_store_begin (store, error))
    return FALSE;
  if (!crm_store_set_setting (store, KEY_FIRST_RESPONSE, first, error) ||
      !crm_store_set_setting (store, KEY_RESOLUTION, resolution, error) ||
      !crm_store_set_setting (store, KEY_AUTO_COMPLAINT, settings->auto_complaint ? "1" : "0", error) ||
      !crm_store_set_setting (store, KEY_ASSIGNEE, settings->complaint_assignee, error))
    {
      crm_store_rollback (store);
      return FALSE;
    }
  crm_store_queue_changed (store, "settings", NULL);
  return crm_store_commit (store, error);
}

void
crm_service_settings_clear (CrmServiceSettings *settings)
{
  g_clear_pointer (&settings->complaint_assignee, g_free);
}

/* --- status ------------------------------------------------------------- */

static int
status_rank (const char *status)
{
  for (int i = 0; statuses[i] != NULL; i++)
    if (g_strcmp0 (status, statuses[i]) == 0)
      return i;
  return -1;
}

gboolean
crm_complaint_status_is_valid (const char *status)
{
  return status_rank (status) >= 0;
}

gboolean
crm_complaint_can_move (const char *from,
                        const char *to)
{
  int a = status_rank (from != NULL ? from : "open");
  int b = status_rank (to);

  if (a < 0 || b < 0 || a == b)
    return FALSE;
  /* Forward, or back from resolved/closed to open or in progress. */
  return b > a || (a >= 2 && b <= 1);
}

static char *
now_text (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

gboolean
crm_complaint_apply_status (CrmActivity  *complaint,
                            const char   *status,
                            const char   *now,
                            GError      **error)
{
  CrmRecord *record = CRM_RECORD (complaint);
  const char *from = crm_record_get_string (record, "status");
  g_autofree char *owned_now = now == NULL ? now_text () : NULL;
  int rank = status_rank (status);

  if (g_strcmp0 (crm_record_get_string (record, "kind"), "complaint") != 0)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("Only complaints have a status."));
      return FALSE;
    }
  if (rank < 0)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("“%s” is not a complaint status. Use open, in_progress, resolved or closed."), status);
      return FALSE;
    }
  if (!crm_complaint_can_move (from, status))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("A complaint cannot go from %s to %s."), from ? from : "open", status);
      return FALSE;
    }
  if (now == NULL)
    now = owned_now;

  g_object_set (record, "status", status, NULL);
  if (rank >= 1 && crm_record_get_string (record, "first-response-at") == NULL)
    g_object_set (record, "first-response-at", now, NULL);
  if (rank >= 2 && crm_record_get_string (record, "resolved-at") == NULL)
    g_object_set (record, "resolved-at", now, NULL);
  if (rank <= 1)
    g_object_set (record, "resolved-at", NULL, NULL);
  return TRUE;
}

gboolean
crm_complaint_set_status (CrmStore     *store,
                          CrmActivity  *complaint,
                          const char   *status,
                          const char   *now,
                          GError      **error)
{
  return crm_complaint_apply_status (complaint, status, now, error) &&
         crm_store_update (store, CRM_RECORD (complaint), error);
}

/* The subject of a complaint: the description's first line, shortened. */
#define SUBJECT_CHARS 80

CrmActivity *
crm_complaint_create (CrmStore    *store,
                      const char  *contact_id,
                      const char  *category,
                      const char  *priority,
                      const char  *description,
                      const char  *assignee_id,
                      GError     **error)
{
  static const char * const priorities[] = { "low", "normal", "high", "urgent", NULL };
  g_autoptr(CrmActivity) complaint = NULL;
  g_autoptr(CrmRecord) contact = NULL;
  g_autofree char *body = NULL;
  g_autofree char *subject = NULL;
  const char *newline;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  if (contact_id == NULL || *contact_id == '\0')
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("Choose the customer the complaint is from."));
      return NULL;
    }
  body = g_strstrip (g_strdup (description != NULL ? description : ""));
  if (*body == '\0')
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("Describe the complaint: what happened and what the customer wants."));
      return NULL;
    }
  if (!g_utf8_validate (body, -1, NULL))
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("The description is not valid text."));
      return NULL;
    }
  if (priority == NULL)
    priority = "normal";
  if (!g_strv_contains (priorities, priority))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("Priority is low, normal, high or urgent, not “%s”."), priority);
      return NULL;
    }
  contact = crm_store_get (store, CRM_TYPE_CONTACT, contact_id, NULL);
  if (contact == NULL || crm_record_get_deleted (contact))
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("That customer is no longer in the database; choose another."));
      return NULL;
    }

  newline = strchr (body, '\n');
  subject = g_strndup (body, newline != NULL ? (gsize) (newline - body) : strlen (body));
  g_strstrip (subject);
  if (g_utf8_strlen (subject, -1) > SUBJECT_CHARS)
    {
      g_autofree char *whole = g_steal_pointer (&subject);

      *g_utf8_offset_to_pointer (whole, SUBJECT_CHARS - 1) = '\0';
      subject = g_strconcat (whole, "…", NULL);
    }
  complaint = crm_activity_new ();
  g_object_set (complaint,
                "kind", "complaint",
                "contact-id", contact_id,
                "subject", subject,
                "body", body,
                "priority", priority,
                "category", category != NULL && *category != '\0' ? category : NULL,
                "assignee-id", assignee_id != NULL ? assignee_id : crm_record_get_owner_id (contact),
                NULL);
  crm_record_set_owner_id (CRM_RECORD (complaint), crm_record_get_owner_id (contact));
  if (!crm_store_insert (store, CRM_RECORD (complaint), error))
    return NULL;
  return g_steal_pointer (&complaint);
}

/* --- SLA ---------------------------------------------------------------- */

/* ISO 8601 UTC, or HLC text whose first 24 characters are one. */
static gint64
parse_time (const char *text)
{
  g_autofree char *iso = NULL;
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL || *text == '\0')
    return G_MININT64;
  iso = strlen (text) > 24 && text[23] == 'Z' ? g_strndup (text, 24) : g_strdup (text);
  dt = g_date_time_new_from_iso8601 (iso, NULL);
  if (dt == NULL)
    return G_MININT64;
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

gboolean
crm_complaint_sla (const char                *created_at,
                   const char                *first_response_at,
                   const char                *resolved_at,
                   const CrmServiceSettings  *settings,
                   GDateTime                 *now,
                   CrmSlaState               *out)
{
  gint64 created = parse_time (created_at);
  gint64 responded = parse_time (first_response_at);
  gint64 resolved = parse_time (resolved_at);
  gint64 now_us = g_date_time_to_unix (now) * G_USEC_PER_SEC + g_date_time_get_microsecond (now);

  out->response_due = out->resolution_due = G_MININT64;
  out->response_late = out->resolution_late = FALSE;
  if (created == G_MININT64)
    return FALSE;

  if (settings->first_response_minutes > 0)
    {
      out->response_due = created + settings->first_response_minutes * 60 * G_USEC_PER_SEC;
      /* A response (or resolution) at the due time itself is in time. */
      if (responded == G_MININT64 && resolved != G_MININT64)
        responded = resolved;
      out->response_late = (responded != G_MININT64 ? responded : now_us) > out->response_due;
    }
  if (settings->resolution_minutes > 0)
    {
      out->resolution_due = created + settings->resolution_minutes * 60 * G_USEC_PER_SEC;
      out->resolution_late = (resolved != G_MININT64 ? resolved : now_us) > out->resolution_due;
    }
  return TRUE;
}

gboolean
crm_sla_state_is_overdue (const CrmSlaState *state,
                          const char        *first_response_at,
                          const char        *resolved_at)
{
  if (resolved_at != NULL)
    return FALSE;
  return (state->response_late && first_response_at == NULL) || state->resolution_late;
}

/* --- queue -------------------------------------------------------------- */

static const char complaints_sql[] =
  "SELECT id FROM activities"
  " WHERE kind = 'complaint' AND deleted = 0"
  " AND (?1 IS NULL AND coalesce (status, 'open') <> 'closed' OR coalesce (status, 'open') = ?1)"
  " AND (?2 IS NULL OR (?2 = '' AND assignee_id IS NULL) OR assignee_id = ?2)"
  " AND (?3 IS NULL OR coalesce (priority, 'normal') = ?3)"
  " AND (?4 IS NULL OR category = ?4)"
  " ORDER BY coalesce (status, 'open') IN ('resolved', 'closed'),"
  " CASE coalesce (priority, 'normal') WHEN 'urgent' THEN 0 WHEN 'high' THEN 1"
  "          WHEN 'normal' THEN 2 ELSE 3 END, created_at, id";

GPtrArray *
crm_complaints_list (CrmStore                  *store,
                     const CrmComplaintFilter  *filter,
                     GError                   **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) complaints = g_ptr_array_new_with_free_func (g_object_unref);
  CrmComplaintFilter none = { NULL, NULL, NULL, NULL };
  int rc;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  if (filter == NULL)
    filter = &none;
  stmt = crm_store_prepare (store, complaints_sql, error);
  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, filter->status);
  crm_stmt_bind_text (stmt, 2, filter->assignee_id);
  crm_stmt_bind_text (stmt, 3, filter->priority);
  crm_stmt_bind_text (stmt, 4, filter->category);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  g_clear_pointer (&stmt, crm_cached_stmt_release);
  for (guint i = 0; i < ids->len; i++)
    {
      CrmActivity *complaint = crm_store_get (store, CRM_TYPE_ACTIVITY, g_ptr_array_index (ids, i), error);

      if (complaint == NULL)
        return NULL;
      g_ptr_array_add (complaints, complaint);
    }
  return g_steal_pointer (&complaints);
}

/* --- metrics ------------------------------------------------------------ */

static const char backlog_sql[] =
  "SELECT created_at, first_response_at, resolved_at FROM activities"
  " WHERE kind = 'complaint' AND deleted = 0 AND coalesce (status, 'open') IN ('open', 'in_progress')";

static const char satisfaction_sql[] =
  "SELECT count (satisfaction), avg (satisfaction) FROM activities"
  " WHERE kind = 'complaint' AND deleted = 0 AND resolved_at IS NOT NULL"
  " AND substr (created_at, 1, 24) >= ?1 AND substr (created_at, 1, 24) < ?2";

/* The period's bounds as UTC text: from local midnight of @from to local
 * midnight after @to, like the analytics queries. */
static char *
local_midnight_utc (const GDate *date,
                    int          add_days)
{
  GDate day = *date;
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) utc = NULL;

  g_date_add_days (&day, add_days);
  local = g_date_time_new (tz, g_date_get_year (&day), g_date_get_month (&day), g_date_get_day (&day), 0, 0, 0);
  utc = g_date_time_to_utc (local);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.000Z");
}

gboolean
crm_service_metrics (CrmStore                  *store,
                     const CrmAnalyticsQuery   *query,
                     const CrmServiceSettings  *settings,
                     GDateTime                 *now,
                     CrmServiceMetrics         *out,
                     GError                   **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  int rc;

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);

  memset (out, 0, sizeof *out);
  out->per_thousand = out->satisfaction = NAN;
  if (!crm_analytics_service_times (store, query, &out->times, error) ||
      !crm_analytics_active_customers (store, query, &out->customers, error))
    return FALSE;
  if (out->customers > 0)
    out->per_thousand = 1000.0 * out->times.complaints / out->customers;

  stmt = crm_store_prepare (store, backlog_sql, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *first = (const char *) sqlite3_column_text (stmt, 1);
      const char *resolved = (const char *) sqlite3_column_text (stmt, 2);
      CrmSlaState sla;

      out->backlog++;
      if (crm_complaint_sla ((const char *) sqlite3_column_text (stmt, 0), first, resolved, settings, now, &sla) &&
          crm_sla_state_is_overdue (&sla, first, resolved))
        out->overdue++;
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  g_clear_pointer (&stmt, crm_cached_stmt_release);

  from = local_midnight_utc (&query->from, 0);
  to = local_midnight_utc (&query->to, 1);
  stmt = crm_store_prepare (store, satisfaction_sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, from, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, to, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  out->rated = sqlite3_column_int64 (stmt, 0);
  if (out->rated > 0)
    out->satisfaction = sqlite3_column_double (stmt, 1);
  return TRUE;
}
