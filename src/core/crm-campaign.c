/* crm-campaign.c: a mailing, SMS, letter or call campaign to a segment */

#include "config.h"

#include "crm-campaign.h"
#include "crm-campaigns.h"

struct _CrmCampaign
{
  CrmRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (CrmCampaign, crm_campaign, CRM_TYPE_RECORD)

static const char * const channels[] = { "email", "sms", "letter", "phone", NULL };
static const char * const statuses[] = { "draft", "scheduled", "running", "done", "cancelled", NULL };

/* Mirrors the campaigns table of migrations 1 and 6 (test-store checks they agree). */
static const CrmColumn columns[] = {
  { "name", CRM_COLUMN_TEXT, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "segment_id", CRM_COLUMN_REF, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "channel", CRM_COLUMN_ENUM, CRM_COLUMN_REQUIRED, "email", channels, 0, 0 },
  { "subject", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "templates", CRM_COLUMN_JSON, CRM_COLUMN_REQUIRED, "{}", NULL, 0, 0 },
  { "scheduled_at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "status", CRM_COLUMN_ENUM, CRM_COLUMN_REQUIRED, "draft", statuses, 0, 0 },
  { "sent_at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  /* migration 6 */
  { "excluded_no_consent", CRM_COLUMN_INT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, G_MAXINT64 },
  { "excluded_no_address", CRM_COLUMN_INT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, G_MAXINT64 },
  { "attribution_days", CRM_COLUMN_INT, CRM_COLUMN_RANGE, "30", NULL, 1, 365 },
};

/* Content that would fail at launch or render wrongly is refused when
 * saved, with the place it goes wrong. */
static gboolean
crm_campaign_validate (CrmRecord  *record,
                       GError    **error)
{
  g_autoptr(GPtrArray) variants = crm_campaign_parse_templates (crm_record_get_string (record, "templates"), NULL, error);

  return variants != NULL;
}

static void
crm_campaign_class_init (CrmCampaignClass *klass)
{
  CrmRecordClass *record_class = CRM_RECORD_CLASS (klass);

  record_class->validate = crm_campaign_validate;
  crm_record_class_set_table (record_class, "campaigns", columns, G_N_ELEMENTS (columns));
}

static void
crm_campaign_init (CrmCampaign *self)
{
}

CrmCampaign *
crm_campaign_new (void)
{
  return g_object_new (CRM_TYPE_CAMPAIGN, NULL);
}
