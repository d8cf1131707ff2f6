/* crm-contact.c: a person or organization the business deals with */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crm-contact.h"
#include "crm-json.h"
#include "crm-pinyin.h"
#include "crm-record-private.h"
#include "crm-store-error.h"
#include "crm-value.h"

struct _CrmContact
{
  CrmRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (CrmContact, crm_contact, CRM_TYPE_RECORD)

static const char * const kinds[] = { "person", "organization", NULL };
static const char * const genders[] = { "male", "female", "other", NULL };
static const char * const lifecycles[] = {
  "lead", "first_time", "frequent", "active", "dormant", "churned", NULL
};
static const char * const rfm_segments[] = {
  "champions", "loyal", "potential", "new", "at_risk", "hibernating", "lost", NULL
};

#define MONEY_MAX G_GINT64_CONSTANT (90000000000000000)

/* Mirrors the contacts table of migration 1 (test-store checks they agree).
 * Derived columns are written by the store (pinyin, sort key) and by
 * crm-lifecycle.c (lifecycle, RFM, purchase totals). */
static const CrmColumn columns[] = {
  { "kind", CRM_COLUMN_ENUM, CRM_COLUMN_REQUIRED, "person", kinds, 0, 0 },
  { "name", CRM_COLUMN_TEXT, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 500 },
  { "name_pinyin", CRM_COLUMN_TEXT, CRM_COLUMN_DERIVED, NULL, NULL, 0, 0 },
  { "name_initials", CRM_COLUMN_TEXT, CRM_COLUMN_DERIVED, NULL, NULL, 0, 0 },
  { "name_sort", CRM_COLUMN_BYTES, CRM_COLUMN_DERIVED, NULL, NULL, 0, 0 },
  { "gender", CRM_COLUMN_ENUM, CRM_COLUMN_FLAGS_NONE, NULL, genders, 0, 0 },
  { "birthday", CRM_COLUMN_DATE, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "occupation", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "organization_id", CRM_COLUMN_REF, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "title", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "emails", CRM_COLUMN_EMAILS, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "phones", CRM_COLUMN_PHONES, CRM_COLUMN_FLAGS_NONE, "[]", NULL, 0, 0 },
  { "address", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "province", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "city", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "source", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "lifecycle", CRM_COLUMN_ENUM, CRM_COLUMN_DERIVED, "lead", lifecycles, 0, 0 },
  { "lifecycle_override", CRM_COLUMN_ENUM, CRM_COLUMN_FLAGS_NONE, NULL, lifecycles, 0, 0 },
  { "tags", CRM_COLUMN_TAGS, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "consent_email", CRM_COLUMN_BOOL, CRM_COLUMN_FLAGS_NONE, "0", NULL, 0, 0 },
  { "consent_email_at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "consent_sms", CRM_COLUMN_BOOL, CRM_COLUMN_FLAGS_NONE, "0", NULL, 0, 0 },
  { "consent_sms_at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "notes", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "external_id", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "rfm_r", CRM_COLUMN_INT, CRM_COLUMN_DERIVED | CRM_COLUMN_RANGE | CRM_COLUMN_ZERO_IS_NULL, NULL, NULL, 1, 5 },
  { "rfm_f", CRM_COLUMN_INT, CRM_COLUMN_DERIVED | CRM_COLUMN_RANGE | CRM_COLUMN_ZERO_IS_NULL, NULL, NULL, 1, 5 },
  { "rfm_m", CRM_COLUMN_INT, CRM_COLUMN_DERIVED | CRM_COLUMN_RANGE | CRM_COLUMN_ZERO_IS_NULL, NULL, NULL, 1, 5 },
  { "rfm_segment", CRM_COLUMN_ENUM, CRM_COLUMN_DERIVED, NULL, rfm_segments, 0, 0 },
  { "first_purchase_at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_DERIVED, NULL, NULL, 0, 0 },
  { "last_purchase_at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_DERIVED, NULL, NULL, 0, 0 },
  { "purchase_count", CRM_COLUMN_INT, CRM_COLUMN_DERIVED, "0", NULL, 0, 0 },
  { "total_spent", CRM_COLUMN_MONEY, CRM_COLUMN_DERIVED | CRM_COLUMN_RANGE, "0", NULL, 0, MONEY_MAX },
};

static gboolean
crm_contact_validate (CrmRecord  *record,
                      GError    **error)
{
  const char *id = crm_record_get_id (record);
  const char *organization_id = crm_record_get_string (record, "organization_id");

  if (organization_id != NULL && g_strcmp0 (id, organization_id) == 0)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("organization_id: a contact cannot be its own organization."));
      return FALSE;
    }
  if (organization_id != NULL && g_strcmp0 (crm_record_get_string (record, "kind"), "organization") == 0)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("organization_id: only a person belongs to an organization. Clear it or set kind to person."));
      return FALSE;
    }
  return TRUE;
}

/* Pinyin and the sort key are derived from the name here, in C, because
 * they need ICU; SQL triggers then index them for search. */
static void
crm_contact_prepare_write (CrmRecord *record)
{
  const char *name = crm_record_get_string (record, "name");
  gboolean organization = g_strcmp0 (crm_record_get_string (record, "kind"), "organization") == 0;
  g_autofree char *full = NULL;
  g_autofree char *initials = NULL;
  g_autofree char *sort_key = NULL;
  g_autoptr(GBytes) sort_bytes = NULL;

  if (!crm_record_is_changed (record, "name") && !crm_record_is_changed (record, "kind") &&
      crm_record_get_string (record, "name_pinyin") != NULL)
    return;

  crm_pinyin_convert (name, organization ? CRM_PINYIN_FLAGS_NONE : CRM_PINYIN_PERSON_NAME,
                      &full, &initials);
  sort_key = crm_pinyin_sort_key (name);
  sort_bytes = g_bytes_new (sort_key, strlen (sort_key));

  g_object_set (record,
                "name-pinyin", full,
                "name-initials", initials,
                "name-sort", sort_bytes,
                NULL);
}

static void
crm_contact_class_init (CrmContactClass *klass)
{
  CrmRecordClass *record_class = CRM_RECORD_CLASS (klass);

  crm_record_class_set_table (record_class, "contacts", columns, G_N_ELEMENTS (columns));
  record_class->validate = crm_contact_validate;
  record_class->prepare_write = crm_contact_prepare_write;
}

static void
crm_contact_init (CrmContact *self)
{
}

CrmContact *
crm_contact_new (void)
{
  return g_object_new (CRM_TYPE_CONTACT, NULL);
}

const char *
crm_contact_get_name (CrmContact *self)
{
  return crm_record_get_string (CRM_RECORD (self), "name");
}

void
crm_contact_set_name (CrmContact *self,
                      const char *name)
{
  g_object_set (self, "name", name, NULL);
}

const char *
crm_contact_get_kind (CrmContact *self)
{
  return crm_record_get_string (CRM_RECORD (self), "kind");
}

const char * const *
crm_contact_get_emails (CrmContact *self)
{
  return crm_record_get_strv (CRM_RECORD (self), "emails");
}

const char *
crm_contact_get_lifecycle (CrmContact *self)
{
  const char *override = crm_record_get_string (CRM_RECORD (self), "lifecycle_override");

  return override != NULL ? override : crm_record_get_string (CRM_RECORD (self), "lifecycle");
}

static JsonArray *
dup_phones (CrmContact *self)
{
  const char *json = crm_record_get_string (CRM_RECORD (self), "phones");
  g_autoptr(JsonNode) node = json_from_string (json != NULL ? json : "[]", NULL);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return json_array_new ();
  return json_array_ref (json_node_get_array (node));
}

GStrv
crm_contact_dup_phone_numbers (CrmContact *self)
{
  g_autoptr(JsonArray) phones = dup_phones (self);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < json_array_get_length (phones); i++)
    {
      JsonNode *element = json_array_get_element (phones, i);

      if (JSON_NODE_HOLDS_OBJECT (element))
        g_strv_builder_add (builder, json_object_get_string_member_with_default (json_node_get_object (element), "e164", ""));
    }
  return g_strv_builder_end (builder);
}

static gboolean
set_first_email (CrmContact  *self,
                 const char  *value,
                 GError     **error)
{
  const char * const *emails = crm_contact_get_emails (self);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *email = NULL;
  g_auto(GStrv) result = NULL;

  if (value != NULL && *value != '\0' && !crm_value_parse_email ("email", value, &email, error))
    return FALSE;

  if (email != NULL)
    g_strv_builder_add (builder, email);
  for (guint i = 1; emails != NULL && emails[0] != NULL && emails[i] != NULL; i++)
    if (g_strcmp0 (emails[i], email) != 0)
      g_strv_builder_add (builder, emails[i]);

  result = g_strv_builder_end (builder);
  g_object_set (self, "emails", result, NULL);
  return TRUE;
}

static gboolean
set_first_phone (CrmContact  *self,
                 const char  *value,
                 GError     **error)
{
  g_autoptr(JsonArray) phones = dup_phones (self);
  g_autoptr(JsonArray) result = json_array_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
  g_autofree char *e164 = NULL;
  g_autofree char *json = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (value != NULL ? value : ""));

  if (*trimmed != '\0')
    {
      JsonObject *object;

      if (!crm_value_parse_phone ("phone", trimmed, &e164, error))
        return FALSE;
      object = json_object_new ();
      json_object_set_string_member (object, "e164", e164);
      json_object_set_string_member (object, "raw", trimmed);
      json_array_add_object_element (result, object);
    }
  for (guint i = 1; i < json_array_get_length (phones); i++)
    json_array_add_element (result, json_node_copy (json_array_get_element (phones, i)));

  json_node_set_array (root, result);
  json = crm_json_to_string (root);
  g_object_set (self, "phones", json, NULL);
  return TRUE;
}

gboolean
crm_contact_set_field_from_string (CrmContact  *self,
                                   const char  *field,
                                   const char  *value,
                                   GError     **error)
{
  g_return_val_if_fail (CRM_IS_CONTACT (self), FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  if (g_str_equal (field, "email"))
    return set_first_email (self, value, error);
  if (g_str_equal (field, "phone"))
    return set_first_phone (self, value, error);
  if (g_str_equal (field, "lifecycle"))
    field = "lifecycle_override";

  return crm_record_set_field_from_string (CRM_RECORD (self), field, value, error);
}
