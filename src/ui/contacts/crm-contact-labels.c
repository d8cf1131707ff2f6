/* crm-contact-labels.c: what people read for stored contact values (lifecycle, gender, RFM, ...) and money */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "crm-contact-labels.h"

const CrmValueLabel crm_lifecycle_labels[] = {
  { "lead", N_("Lead") },
  { "first_time", N_("First-time") },
  { "frequent", N_("Frequent") },
  { "active", N_("Active") },
  { "dormant", N_("Dormant") },
  { "churned", N_("Churned") },
  { NULL, NULL }
};

const CrmValueLabel crm_gender_labels[] = {
  { "female", N_("Female") },
  { "male", N_("Male") },
  { "other", N_("Other") },
  { NULL, NULL }
};

const CrmValueLabel crm_rfm_segment_labels[] = {
  { "champions", N_("Champions") },
  { "loyal", N_("Loyal") },
  { "potential", N_("Potential") },
  { "new", N_("New") },
  { "at_risk", N_("At risk") },
  { "hibernating", N_("Hibernating") },
  { "lost", N_("Lost") },
  { NULL, NULL }
};

const CrmValueLabel crm_age_band_labels[] = {
  { "under_25", N_("Under 25") },
  { "25_34", N_("25–34") },
  { "35_44", N_("35–44") },
  { "45_54", N_("45–54") },
  { "55_plus", N_("55 and over") },
  { NULL, NULL }
};

const CrmValueLabel crm_kind_labels[] = {
  { "person", N_("Person") },
  { "organization", N_("Organization") },
  { NULL, NULL }
};

static const struct {
  const char *name;
  const char *title;
} filters[CRM_CONTACT_N_FILTERS] = {
  [CRM_CONTACT_FILTER_LIFECYCLE] = { "lifecycle", N_("Lifecycle") },
  [CRM_CONTACT_FILTER_TAG] = { "tag", N_("Tag") },
  [CRM_CONTACT_FILTER_OWNER] = { "owner", N_("Owner") },
  [CRM_CONTACT_FILTER_PROVINCE] = { "province", N_("Region") },
  [CRM_CONTACT_FILTER_GENDER] = { "gender", N_("Gender") },
  [CRM_CONTACT_FILTER_AGE_BAND] = { "age-band", N_("Age") },
  [CRM_CONTACT_FILTER_RFM_SEGMENT] = { "rfm-segment", N_("RFM segment") },
  [CRM_CONTACT_FILTER_KIND] = { "kind", N_("Kind") },
  [CRM_CONTACT_FILTER_SEGMENT] = { "segment", N_("Saved segment") },
};

const char *
crm_value_label (const CrmValueLabel *table,
                 const char          *value)
{
  if (value == NULL)
    return NULL;
  for (guint i = 0; table[i].value != NULL; i++)
    if (g_str_equal (table[i].value, value))
      return _(table[i].label);
  return value;
}

const char *
crm_field_label (const char *table,
                 const char *field)
{
  static const struct { const char *field; const char *label; } labels[] = {
    { "name", N_("Name") }, { "kind", N_("Type") }, { "title", N_("Job title") },
    { "occupation", N_("Occupation") }, { "organization_id", N_("Organization") },
    { "emails", N_("Email") }, { "phones", N_("Phone") }, { "address", N_("Address") },
    { "province", N_("Province") }, { "city", N_("City") }, { "birthday", N_("Birthday") },
    { "gender", N_("Gender") }, { "source", N_("Source") }, { "tags", N_("Tags") },
    { "notes", N_("Notes") }, { "owner_id", N_("Owner") }, { "lifecycle", N_("Lifecycle") },
    { "lifecycle_override", N_("Lifecycle") }, { "external_id", N_("External ID") },
    { "consent_email", N_("Email consent") }, { "consent_sms", N_("SMS consent") },
    { "created_at", N_("Created") }, { "deleted", N_("Deleted") },
    { "contact_id", N_("Customer") }, { "subject", N_("Subject") }, { "body", N_("Details") },
    { "assignee_id", N_("Assignee") }, { "priority", N_("Priority") }, { "category", N_("Category") },
    { "amount", N_("Amount") }, { "currency", N_("Currency") }, { "stage_id", N_("Stage") },
    { "status", N_("Status") }, { "due_at", N_("Due") }, { "product", N_("Product") },
    { "quantity", N_("Quantity") }, { "purchased_at", N_("Purchase date") }, { "order_ref", N_("Order") },
  };

  if (field == NULL)
    return NULL;
  if (g_strcmp0 (table, "deals") == 0 && g_str_equal (field, "title"))
    return _("Deal");
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].field, field))
      return _(labels[i].label);
  return field;
}

const char *
crm_contact_filter_to_string (CrmContactFilter filter)
{
  g_return_val_if_fail (filter < CRM_CONTACT_N_FILTERS, NULL);
  return filters[filter].name;
}

gboolean
crm_contact_filter_from_string (const char       *name,
                                CrmContactFilter *out_filter)
{
  for (guint i = 0; i < CRM_CONTACT_N_FILTERS; i++)
    if (g_strcmp0 (filters[i].name, name) == 0)
      {
        *out_filter = i;
        return TRUE;
      }
  return FALSE;
}

const char *
crm_contact_filter_title (CrmContactFilter filter)
{
  g_return_val_if_fail (filter < CRM_CONTACT_N_FILTERS, NULL);
  return _(filters[filter].title);
}

char *
crm_contact_filter_value_label (CrmContactFilter  filter,
                                const char       *value,
                                const char       *owner_name)
{
  switch (filter)
    {
    case CRM_CONTACT_FILTER_LIFECYCLE:
      return g_strdup (crm_value_label (crm_lifecycle_labels, value));
    case CRM_CONTACT_FILTER_GENDER:
      return g_strdup (crm_value_label (crm_gender_labels, value));
    case CRM_CONTACT_FILTER_AGE_BAND:
      return g_strdup (crm_value_label (crm_age_band_labels, value));
    case CRM_CONTACT_FILTER_RFM_SEGMENT:
      return g_strdup (crm_value_label (crm_rfm_segment_labels, value));
    case CRM_CONTACT_FILTER_KIND:
      return g_strdup (crm_value_label (crm_kind_labels, value));
    case CRM_CONTACT_FILTER_OWNER:
      if (value == NULL || *value == '\0')
        return g_strdup (_("No owner"));
      return g_strdup (owner_name != NULL ? owner_name : _("Unknown user"));
    case CRM_CONTACT_FILTER_SEGMENT:
      /* @owner_name is the segment's name here. */
      return g_strdup (owner_name != NULL ? owner_name : value);
    case CRM_CONTACT_FILTER_TAG:
    case CRM_CONTACT_FILTER_PROVINCE:
    case CRM_CONTACT_N_FILTERS:
    default:
      return g_strdup (value);
    }
}

char *
crm_format_money (gint64      minor,
                  const char *currency)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  guint64 units = (guint64) ABS (minor) / 100;
  guint cents = (guint) ((guint64) ABS (minor) % 100);
  const char *symbol;

  g_string_printf (digits, "%" G_GUINT64_FORMAT, units);
  if (currency == NULL || g_str_equal (currency, "CNY"))
    symbol = "¥";
  else if (g_str_equal (currency, "USD"))
    symbol = "$";
  else if (g_str_equal (currency, "EUR"))
    symbol = "€";
  else
    symbol = NULL;

  if (minor < 0)
    g_string_append_c (out, '-');
  if (symbol != NULL)
    g_string_append (out, symbol);
  for (gsize i = 0; i < digits->len; i++)
    {
      if (i > 0 && (digits->len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits->str[i]);
    }
  g_string_append_printf (out, ".%02u", cents);
  if (symbol == NULL && currency != NULL)
    g_string_append_printf (out, " %s", currency);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
crm_format_date (const char *timestamp)
{
  if (timestamp == NULL || strlen (timestamp) < 10)
    return NULL;
  return g_strndup (timestamp, 10);
}

char *
crm_format_phone (const char *e164)
{
  const char *national;
  gsize len;

  if (e164 == NULL || !g_str_has_prefix (e164, "+86"))
    return g_strdup (e164);

  national = e164 + 3;
  len = strlen (national);
  if (len == 11 && national[0] == '1')
    return g_strdup_printf ("%.3s %.4s %.4s", national, national + 3, national + 7);

  /* Landlines: two-digit area codes are 10, 2x; the others have three. */
  if (national[0] == '1' || national[0] == '2')
    return g_strdup_printf ("0%.2s %s", national, national + 2);
  return g_strdup_printf ("0%.3s %s", national, national + 3);
}
