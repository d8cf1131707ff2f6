/* crm-activity.c: a call, meeting, visit, note, task or complaint about a contact or deal */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "crm-activity.h"
#include "crm-store-error.h"

struct _CrmActivity
{
  CrmRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (CrmActivity, crm_activity, CRM_TYPE_RECORD)

static const char * const kinds[] = { "call", "email", "meeting", "visit", "note", "task", "complaint", NULL };
static const char * const priorities[] = { "low", "normal", "high", "urgent", NULL };
static const char * const statuses[] = { "open", "in_progress", "resolved", "closed", NULL };

/* Mirrors the activities table of migrations 1 and 5 (test-store checks they agree). */
static const CrmColumn columns[] = {
  { "contact_id", CRM_COLUMN_REF, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "deal_id", CRM_COLUMN_REF, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "kind", CRM_COLUMN_ENUM, CRM_COLUMN_REQUIRED, NULL, kinds, 0, 0 },
  { "subject", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "body", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "due_at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "done_at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "assignee_id", CRM_COLUMN_REF, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "priority", CRM_COLUMN_ENUM, CRM_COLUMN_FLAGS_NONE, NULL, priorities, 0, 0 },
  { "status", CRM_COLUMN_ENUM, CRM_COLUMN_FLAGS_NONE, NULL, statuses, 0, 0 },
  { "first_response_at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "resolved_at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "resolution", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "satisfaction", CRM_COLUMN_INT, CRM_COLUMN_RANGE | CRM_COLUMN_ZERO_IS_NULL, NULL, NULL, 1, 5 },
  /* Migration 5 */
  { "category", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "survey_response_id", CRM_COLUMN_REF, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "greeting_key", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
};

static gboolean
crm_activity_validate (CrmRecord  *record,
                       GError    **error)
{
  /* Complaint tracking fields on a call or note would be counted in the
   * complaint response-time KPIs. */
  if (g_strcmp0 (crm_record_get_string (record, "kind"), "complaint") != 0 &&
      crm_record_get_string (record, "status") != NULL)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("status: only complaints have a status. Set kind to complaint or clear the status."));
      return FALSE;
    }
  if (crm_record_get_string (record, "contact_id") == NULL &&
      crm_record_get_string (record, "deal_id") == NULL)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("An activity needs a contact or a deal. Set contact_id or deal_id."));
      return FALSE;
    }
  return TRUE;
}

static void
crm_activity_prepare_write (CrmRecord *record)
{
  /* A new complaint is open until someone works on it. */
  if (g_strcmp0 (crm_record_get_string (record, "kind"), "complaint") == 0 &&
      crm_record_get_string (record, "status") == NULL)
    g_object_set (record, "status", "open", NULL);
}

static void
crm_activity_class_init (CrmActivityClass *klass)
{
  CrmRecordClass *record_class = CRM_RECORD_CLASS (klass);

  crm_record_class_set_table (record_class, "activities", columns, G_N_ELEMENTS (columns));
  record_class->validate = crm_activity_validate;
  record_class->prepare_write = crm_activity_prepare_write;
}

static void
crm_activity_init (CrmActivity *self)
{
}

CrmActivity *
crm_activity_new (void)
{
  return g_object_new (CRM_TYPE_ACTIVITY, NULL);
}
