/* crm-contact-importer.c: importing contacts from CSV or vCard files, with dedupe, dry run and undo */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "crm-contact-importer.h"
#include "crm-contact-lookup.h"
#include "crm-contact-search.h"
#include "crm-contact.h"
#include "crm-csv-reader.h"
#include "crm-date-parse.h"
#include "crm-import-error.h"
#include "crm-json.h"
#include "crm-merge.h"
#include "crm-record-private.h"
#include "crm-store-bulk.h"
#include "crm-store-private.h"
#include "crm-value.h"
#include "crm-vcard.h"

struct _CrmContactImporter
{
  GObject parent_instance;

  CrmStore *store;
  gboolean dry_run;
  CrmImportKey update_by;
  CrmImportDuplicates duplicates;
  CrmImportMapping *mapping;
  CrmDateOrder date_order;
  gboolean date_order_set;
  char *encoding;
  char *errors_path;
  guint chunk_size;

  CrmImportRun *run;
  char *detected_encoding;
  GHashTable *organizations;   /* name → id, within this run */

  /* Outbox and audit rows of new contacts are written per chunk in one
   * pass (see crm_store_sync_inserts_sql()); pending_from is the first
   * rid not yet written, 0 when none is pending. */
  GStrv sync_inserts_sql;
  gint64 pending_from;
  /* Likewise their search index rows (crm_contact_search_resume()). */
  gint64 search_from;
};

G_DEFINE_FINAL_TYPE (CrmContactImporter, crm_contact_importer, G_TYPE_OBJECT)

/* One value of one row: the field it goes to, the column it came from
 * (for problems), the text. */
typedef struct
{
  const char *field;
  const char *column;
  const char *value;
} RowValue;

static void
crm_contact_importer_finalize (GObject *object)
{
  CrmContactImporter *self = CRM_CONTACT_IMPORTER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->mapping);
  g_clear_object (&self->run);
  g_free (self->encoding);
  g_free (self->errors_path);
  g_free (self->detected_encoding);
  g_hash_table_unref (self->organizations);
  g_strfreev (self->sync_inserts_sql);

  G_OBJECT_CLASS (crm_contact_importer_parent_class)->finalize (object);
}

static void
crm_contact_importer_class_init (CrmContactImporterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = crm_contact_importer_finalize;
}

static void
crm_contact_importer_init (CrmContactImporter *self)
{
  self->chunk_size = CRM_IMPORT_DEFAULT_CHUNK_SIZE;
  self->organizations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

CrmContactImporter *
crm_contact_importer_new (CrmStore *store)
{
  CrmContactImporter *self;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  self = g_object_new (CRM_TYPE_CONTACT_IMPORTER, NULL);
  self->store = g_object_ref (store);
  return self;
}

void
crm_contact_importer_set_dry_run (CrmContactImporter *self,
                                  gboolean            dry_run)
{
  g_return_if_fail (CRM_IS_CONTACT_IMPORTER (self));
  self->dry_run = dry_run;
}

void
crm_contact_importer_set_update_by (CrmContactImporter *self,
                                    CrmImportKey        key)
{
  g_return_if_fail (CRM_IS_CONTACT_IMPORTER (self));
  self->update_by = key;
}

void
crm_contact_importer_set_duplicates (CrmContactImporter  *self,
                                     CrmImportDuplicates  duplicates)
{
  g_return_if_fail (CRM_IS_CONTACT_IMPORTER (self));
  self->duplicates = duplicates;
}

void
crm_contact_importer_set_mapping (CrmContactImporter *self,
                                  CrmImportMapping   *mapping)
{
  g_return_if_fail (CRM_IS_CONTACT_IMPORTER (self));
  g_set_object (&self->mapping, mapping);
}

void
crm_contact_importer_set_date_order (CrmContactImporter *self,
                                     CrmDateOrder        order)
{
  g_return_if_fail (CRM_IS_CONTACT_IMPORTER (self));
  self->date_order = order;
  self->date_order_set = TRUE;
}

void
crm_contact_importer_set_encoding (CrmContactImporter *self,
                                   const char         *encoding)
{
  g_return_if_fail (CRM_IS_CONTACT_IMPORTER (self));
  g_free (self->encoding);
  self->encoding = g_strdup (encoding);
}

void
crm_contact_importer_set_errors_path (CrmContactImporter *self,
                                      const char         *path)
{
  g_return_if_fail (CRM_IS_CONTACT_IMPORTER (self));
  g_free (self->errors_path);
  self->errors_path = g_strdup (path);
}

void
crm_contact_importer_set_chunk_size (CrmContactImporter *self,
                                     guint               rows)
{
  g_return_if_fail (CRM_IS_CONTACT_IMPORTER (self));
  self->chunk_size = MAX (rows, 1);
}

CrmImportRun *
crm_contact_importer_get_run (CrmContactImporter *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_IMPORTER (self), NULL);
  return self->run;
}

CrmImportMapping *
crm_contact_importer_get_mapping (CrmContactImporter *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_IMPORTER (self), NULL);
  return self->mapping;
}

const char *
crm_contact_importer_get_encoding (CrmContactImporter *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_IMPORTER (self), NULL);
  return self->detected_encoding;
}

gboolean
crm_import_key_from_string (const char   *text,
                            CrmImportKey *out_key)
{
  if (g_strcmp0 (text, "email") == 0)
    *out_key = CRM_IMPORT_KEY_EMAIL;
  else if (g_strcmp0 (text, "phone") == 0)
    *out_key = CRM_IMPORT_KEY_PHONE;
  else if (g_strcmp0 (text, "external_id") == 0 || g_strcmp0 (text, "external-id") == 0)
    *out_key = CRM_IMPORT_KEY_EXTERNAL_ID;
  else
    return FALSE;
  return TRUE;
}

gboolean
crm_import_duplicates_from_string (const char          *text,
                                   CrmImportDuplicates *out_duplicates)
{
  if (g_strcmp0 (text, "merge") == 0)
    *out_duplicates = CRM_IMPORT_DUPLICATES_MERGE;
  else if (g_strcmp0 (text, "skip") == 0)
    *out_duplicates = CRM_IMPORT_DUPLICATES_SKIP;
  else if (g_strcmp0 (text, "create") == 0)
    *out_duplicates = CRM_IMPORT_DUPLICATES_CREATE;
  else
    return FALSE;
  return TRUE;
}

/* --- Reading one row into a draft contact -------------------------------- */

/* Several phone numbers or addresses in one cell: split on what people
 * put between them, but not on the spaces inside a number. */
static GStrv
split_multi (const char *text)
{
  g_autoptr(GString) s = g_string_new (text);

  g_string_replace (s, "/", ",", 0);
  g_string_replace (s, "|", ",", 0);
  return crm_value_split_list (s->str);
}

static const char *
normalize_gender (const char *text)
{
  static const char * const male[] = { "男", "男性", "先生", "m", "male", "man", "herr", "homme", NULL };
  static const char * const female[] = { "女", "女性", "女士", "小姐", "f", "female", "woman", "frau", "femme", NULL };
  static const char * const other[] = { "其他", "o", "other", "diverse", NULL };
  g_autofree char *lower = g_utf8_strdown (text, -1);

  if (g_strv_contains (male, lower))
    return "male";
  if (g_strv_contains (female, lower))
    return "female";
  if (g_strv_contains (other, lower))
    return "other";
  return NULL;
}

static const char *
normalize_kind (const char *text)
{
  static const char * const person[] = { "个人", "person", "individual", "people", NULL };
  static const char * const organization[] = { "企业", "公司", "单位", "组织", "organization",
                                               "organisation", "company", "org", "business", NULL };
  g_autofree char *lower = g_utf8_strdown (text, -1);

  if (g_strv_contains (person, lower))
    return "person";
  if (g_strv_contains (organization, lower))
    return "organization";
  return NULL;
}

/* "广东省深圳市", "广东 深圳", "Bayern/München" → province, city. */
static void
split_region (const char  *text,
              char       **out_province,
              char       **out_city)
{
  static const char * const separators[] = { " ", "/", "-", "·", "，", ",", NULL };
  static const char * const province_ends[] = { "省", "自治区", "特别行政区", NULL };

  for (guint i = 0; separators[i] != NULL; i++)
    {
      const char *sep = strstr (text, separators[i]);

      if (sep != NULL && sep != text)
        {
          *out_province = g_strstrip (g_strndup (text, (gsize) (sep - text)));
          *out_city = g_strstrip (g_strdup (sep + strlen (separators[i])));
          return;
        }
    }
  for (guint i = 0; province_ends[i] != NULL; i++)
    {
      const char *end = strstr (text, province_ends[i]);

      if (end != NULL && end[strlen (province_ends[i])] != '\0')
        {
          end += strlen (province_ends[i]);
          *out_province = g_strndup (text, (gsize) (end - text));
          *out_city = g_strdup (end);
          return;
        }
    }
  *out_province = g_strdup (text);
  *out_city = NULL;
}

typedef struct
{
  CrmContact *contact;
  GPtrArray *emails;
  JsonArray *phones;
  GPtrArray *tags;
  GString *notes;
  GString *address;
  char *given;
  char *family;
  char *organization;
  const char *organization_column;
  char *region;
  guint problems;
} Draft;

static void
draft_clear (Draft *d)
{
  g_clear_object (&d->contact);
  g_clear_pointer (&d->emails, g_ptr_array_unref);
  g_clear_pointer (&d->phones, json_array_unref);
  g_clear_pointer (&d->tags, g_ptr_array_unref);
  if (d->notes != NULL)
    g_string_free (d->notes, TRUE);
  if (d->address != NULL)
    g_string_free (d->address, TRUE);
  g_free (d->given);
  g_free (d->family);
  g_free (d->organization);
  g_free (d->region);
}

static void
problem (CrmContactImporter *self,
         Draft              *d,
         guint64             row,
         const char         *column,
         const char         *value,
         const char         *message)
{
  crm_import_run_add_problem (self->run, row, column, value, message);
  d->problems++;
}

static void
set_str (char       **target,
         const char  *value)
{
  g_free (*target);
  *target = g_strdup (value);
}

static gboolean
strv_contains_ci (GPtrArray  *list,
                  const char *value)
{
  for (guint i = 0; i < list->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (list, i), value) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
phones_contain (JsonArray  *phones,
                const char *e164)
{
  for (guint i = 0; i < json_array_get_length (phones); i++)
    {
      JsonObject *o = json_array_get_object_element (phones, i);

      if (o != NULL && g_strcmp0 (json_object_get_string_member_with_default (o, "e164", NULL), e164) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
read_value (CrmContactImporter *self,
            Draft              *d,
            guint64             row,
            const RowValue     *v,
            CrmDateOrder        order)
{
  g_autoptr(GError) error = NULL;
  const char *field = v->field;
  const char *value = v->value;

  if (g_str_equal (field, "phone"))
    {
      g_auto(GStrv) parts = split_multi (value);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_autofree char *e164 = NULL;
          g_autoptr(GError) phone_error = NULL;

          if (!crm_value_parse_phone ("phone", parts[i], &e164, &phone_error))
            problem (self, d, row, v->column, value, phone_error->message);
          else if (!phones_contain (d->phones, e164))
            {
              JsonObject *o = json_object_new ();

              json_object_set_string_member (o, "e164", e164);
              json_object_set_string_member (o, "raw", parts[i]);
              json_array_add_object_element (d->phones, o);
            }
        }
    }
  else if (g_str_equal (field, "email"))
    {
      g_auto(GStrv) parts = split_multi (value);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_autofree char *email = NULL;
          g_autoptr(GError) email_error = NULL;

          if (!crm_value_parse_email ("email", parts[i], &email, &email_error))
            problem (self, d, row, v->column, value, email_error->message);
          else if (!strv_contains_ci (d->emails, email))
            g_ptr_array_add (d->emails, g_steal_pointer (&email));
        }
    }
  else if (g_str_equal (field, "tags"))
    {
      g_auto(GStrv) parts = crm_value_split_list (value);

      for (guint i = 0; parts[i] != NULL; i++)
        if (!g_ptr_array_find_with_equal_func (d->tags, parts[i], g_str_equal, NULL))
          g_ptr_array_add (d->tags, g_strdup (parts[i]));
    }
  else if (g_str_equal (field, "notes"))
    g_string_append_printf (d->notes, "%s%s", d->notes->len ? "\n" : "", value);
  else if (g_str_equal (field, "address"))
    g_string_append_printf (d->address, "%s%s", d->address->len ? " " : "", value);
  else if (g_str_equal (field, "given_name"))
    set_str (&d->given, value);
  else if (g_str_equal (field, "family_name"))
    set_str (&d->family, value);
  else if (g_str_equal (field, "organization"))
    {
      set_str (&d->organization, value);
      d->organization_column = v->column;
    }
  else if (g_str_equal (field, "region"))
    set_str (&d->region, value);
  else if (g_str_equal (field, "gender"))
    {
      const char *gender = normalize_gender (value);
      g_autofree char *message = NULL;

      if (gender == NULL)
        {
          message = g_strdup_printf (_("“%s” is not a gender. Use 男 or 女 (male or female), or leave it empty."), value);
          problem (self, d, row, v->column, value, message);
        }
      else
        crm_contact_set_field_from_string (d->contact, "gender", gender, NULL);
    }
  else if (g_str_equal (field, "kind"))
    {
      const char *kind = normalize_kind (value);
      g_autofree char *message = NULL;

      if (kind == NULL)
        {
          message = g_strdup_printf (_("“%s” is not a kind of contact. Use 个人 or 企业 (person or organization)."), value);
          problem (self, d, row, v->column, value, message);
        }
      else
        crm_contact_set_field_from_string (d->contact, "kind", kind, NULL);
    }
  else if (g_str_equal (field, "birthday"))
    {
      g_autofree char *date = NULL;

      if (!crm_date_parse (value, order, &date, &error))
        problem (self, d, row, v->column, value, error->message);
      else
        crm_contact_set_field_from_string (d->contact, "birthday", date, NULL);
    }
  else if (!crm_contact_set_field_from_string (d->contact, field, value, &error))
    problem (self, d, row, v->column, value, error->message);
}

static const char *
column_of (CrmContactImporter *self,
           const RowValue     *values,
           guint               n_values,
           const char         *field)
{
  for (guint i = 0; i < n_values; i++)
    if (g_str_equal (values[i].field, field))
      return values[i].column;
  return field;
}

/* Builds the contact a row describes. Problems are reported as found;
 * d->problems counts them. Returns FALSE for a blank row. */
static gboolean
read_row (CrmContactImporter *self,
          Draft              *d,
          guint64             row,
          const RowValue     *values,
          guint               n_values)
{
  CrmDateOrder order = self->mapping != NULL ? crm_import_mapping_get_date_order (self->mapping) : self->date_order;
  gboolean any = FALSE;
  const char *name;

  d->contact = crm_contact_new ();
  d->emails = g_ptr_array_new_with_free_func (g_free);
  d->phones = json_array_new ();
  d->tags = g_ptr_array_new_with_free_func (g_free);
  d->notes = g_string_new (NULL);
  d->address = g_string_new (NULL);

  for (guint i = 0; i < n_values; i++)
    {
      if (values[i].value == NULL || values[i].value[0] == '\0')
        continue;
      any = TRUE;
      read_value (self, d, row, &values[i], order);
    }
  if (!any)
    return FALSE;

  name = crm_contact_get_name (d->contact);
  if ((name == NULL || *name == '\0') && (d->given != NULL || d->family != NULL))
    {
      g_autofree char *full = NULL;
      const char *given = d->given != NULL ? d->given : "";
      const char *family = d->family != NULL ? d->family : "";

      /* 张 + 三 is 张三; John + Smith is John Smith. */
      if (g_utf8_get_char (family) > 0x2E80 || g_utf8_get_char (given) > 0x2E80)
        full = g_strconcat (family, given, NULL);
      else
        full = g_strstrip (g_strjoin (" ", given, family, NULL));
      crm_contact_set_name (d->contact, full);
      name = crm_contact_get_name (d->contact);
    }
  if (name == NULL || *name == '\0')
    problem (self, d, row, column_of (self, values, n_values, "name"), "",
             _("The name is empty. Every contact needs a name."));

  if (d->region != NULL)
    {
      g_autofree char *province = NULL;
      g_autofree char *city = NULL;

      split_region (d->region, &province, &city);
      if (crm_record_get_string (CRM_RECORD (d->contact), "province") == NULL)
        crm_contact_set_field_from_string (d->contact, "province", province, NULL);
      if (city != NULL && crm_record_get_string (CRM_RECORD (d->contact), "city") == NULL)
        crm_contact_set_field_from_string (d->contact, "city", city, NULL);
    }
  if (d->notes->len > 0)
    crm_contact_set_field_from_string (d->contact, "notes", d->notes->str, NULL);
  if (d->address->len > 0)
    crm_contact_set_field_from_string (d->contact, "address", d->address->str, NULL);
  if (d->emails->len > 0)
    {
      g_ptr_array_add (d->emails, NULL);
      g_object_set (d->contact, "emails", (char **) d->emails->pdata, NULL);
      g_ptr_array_set_size (d->emails, d->emails->len - 1);
    }
  if (d->tags->len > 0)
    {
      g_ptr_array_add (d->tags, NULL);
      g_object_set (d->contact, "tags", (char **) d->tags->pdata, NULL);
      g_ptr_array_set_size (d->tags, d->tags->len - 1);
    }
  if (json_array_get_length (d->phones) > 0)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
      g_autofree char *json = NULL;

      json_node_set_array (node, d->phones);
      json = crm_json_to_string (node);
      g_object_set (d->contact, "phones", json, NULL);
    }
  return TRUE;
}

/* --- Matching and writing ------------------------------------------------- */

static char *
find_existing (CrmContactImporter  *self,
               Draft               *d,
               gboolean            *out_by_key,
               GError             **error)
{
  const char *external_id = crm_record_get_string (CRM_RECORD (d->contact), "external_id");
  g_autoptr(GError) local_error = NULL;
  char *id = NULL;

  *out_by_key = FALSE;
  switch (self->update_by)
    {
    case CRM_IMPORT_KEY_EMAIL:
      if (d->emails->len > 0)
        id = crm_contact_lookup_by_email (self->store, g_ptr_array_index (d->emails, 0), &local_error);
      break;
    case CRM_IMPORT_KEY_PHONE:
      if (json_array_get_length (d->phones) > 0)
        id = crm_contact_lookup_by_phone (self->store,
                                          json_object_get_string_member (json_array_get_object_element (d->phones, 0), "e164"),
                                          &local_error);
      break;
    case CRM_IMPORT_KEY_EXTERNAL_ID:
      id = crm_contact_lookup_by_external_id (self->store, external_id, &local_error);
      break;
    case CRM_IMPORT_KEY_NONE:
    default:
      break;
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (id != NULL)
    {
      *out_by_key = TRUE;
      return id;
    }
  /* A row that carries the key but matches nobody is a new contact, even
   * if it shares a phone with someone: the key is what the person chose. */
  if (self->update_by != CRM_IMPORT_KEY_NONE || self->duplicates == CRM_IMPORT_DUPLICATES_CREATE)
    return NULL;

  for (guint i = 0; i < json_array_get_length (d->phones) && id == NULL; i++)
    id = crm_contact_lookup_by_phone (self->store,
                                      json_object_get_string_member (json_array_get_object_element (d->phones, i), "e164"),
                                      &local_error);
  for (guint i = 0; i < d->emails->len && id == NULL && local_error == NULL; i++)
    id = crm_contact_lookup_by_email (self->store, g_ptr_array_index (d->emails, i), &local_error);
  /* An organization is known by its name (people point at it by name). */
  if (id == NULL && local_error == NULL &&
      g_strcmp0 (crm_contact_get_kind (d->contact), "organization") == 0)
    id = crm_contact_lookup_organization (self->store, crm_contact_get_name (d->contact), &local_error);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return id;
}

static gboolean
is_row_error (const GError *error)
{
  return error->domain == CRM_STORE_ERROR &&
         (error->code == CRM_STORE_ERROR_INVALID || error->code == CRM_STORE_ERROR_NOT_FOUND);
}

/* --- Outbox and audit of new contacts, in bulk --------------------------- */

/* Before inserting a contact: from here on, inserts leave their outbox,
 * audit and search index rows to flush_inserts(). Everything stays inside the chunk's
 * transaction, so a crash or a rollback leaves neither half. */
static gboolean
defer_inserts (CrmContactImporter  *self,
               GError             **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;

  if (self->pending_from > 0)
    return TRUE;
  if (self->sync_inserts_sql == NULL)
    {
      self->sync_inserts_sql = crm_store_sync_inserts_sql (crm_store_get_db (self->store), "contacts", error);
      if (self->sync_inserts_sql == NULL)
        return FALSE;
    }
  /* New rows get rids above every existing one: nobody else writes while
   * the chunk's transaction holds the lock. */
  stmt = crm_store_prepare (self->store, "SELECT coalesce (max (rid), 0) + 1 FROM contacts", error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      crm_store_take_error (self->store, sqlite3_errcode (crm_store_get_db (self->store)), error);
      return FALSE;
    }
  self->pending_from = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, crm_cached_stmt_release);
  if (!crm_store_set_applying_remote (self->store, TRUE, error) ||
      !crm_contact_search_pause (self->store, &self->search_from, error))
    {
      self->pending_from = 0;
      return FALSE;
    }
  return TRUE;
}

/* Writes the outbox, audit and search index rows of the contacts inserted
 * since defer_inserts(), as the triggers would have, and turns the
 * triggers back on: before any update (its outbox row must come after
 * the insert of the same contact, and an older contact's index rows are
 * kept by the triggers) and before the chunk commits. */
static gboolean
flush_inserts (CrmContactImporter  *self,
               GError             **error)
{
  if (self->pending_from == 0)
    return TRUE;
  for (guint i = 0; self->sync_inserts_sql[i] != NULL; i++)
    {
      g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store, self->sync_inserts_sql[i], error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, self->pending_from);
      if (!crm_store_step_done (self->store, stmt, error))
        return FALSE;
    }
  if (!crm_contact_search_resume (self->store, self->search_from, error) ||
      !crm_store_set_applying_remote (self->store, FALSE, error))
    return FALSE;
  self->pending_from = 0;
  self->search_from = 0;
  return TRUE;
}

static gboolean
resolve_organization (CrmContactImporter  *self,
                      Draft               *d,
                      GError             **error)
{
  const char *id;
  g_autofree char *found = NULL;
  g_autoptr(CrmContact) organization = NULL;

  /* An organization's card names itself in ORG. */
  if (d->organization == NULL || g_strcmp0 (crm_contact_get_kind (d->contact), "organization") == 0)
    return TRUE;
  id = g_hash_table_lookup (self->organizations, d->organization);
  if (id == NULL)
    {
      found = crm_contact_lookup_organization (self->store, d->organization, error);
      if (found == NULL)
        {
          if (error != NULL && *error != NULL)
            return FALSE;
          organization = crm_contact_new ();
          g_object_set (organization, "kind", "organization", "name", d->organization, NULL);
          if (!defer_inserts (self, error) ||
              !crm_store_insert (self->store, CRM_RECORD (organization), error) ||
              !crm_import_run_log_insert (self->run, "contacts", crm_record_get_id (CRM_RECORD (organization)), error))
            return FALSE;
          found = g_strdup (crm_record_get_id (CRM_RECORD (organization)));
        }
      g_hash_table_insert (self->organizations, g_strdup (d->organization), g_strdup (found));
      id = g_hash_table_lookup (self->organizations, d->organization);
    }
  g_object_set (d->contact, "organization-id", id, NULL);
  return TRUE;
}

typedef enum
{
  OUTCOME_CREATED,
  OUTCOME_UPDATED,
  OUTCOME_SKIPPED,
} Outcome;

static gboolean
write_row (CrmContactImporter  *self,
           Draft               *d,
           Outcome             *out_outcome,
           GError             **error)
{
  g_autofree char *existing_id = NULL;
  g_autoptr(CrmRecord) existing = NULL;
  g_autoptr(JsonNode) before = NULL;
  gboolean by_key = FALSE;

  if (!resolve_organization (self, d, error))
    return FALSE;

  existing_id = find_existing (self, d, &by_key, error);
  if (existing_id == NULL && error != NULL && *error != NULL)
    return FALSE;

  if (existing_id == NULL)
    {
      if (!defer_inserts (self, error) ||
          !crm_store_insert (self->store, CRM_RECORD (d->contact), error) ||
          !crm_import_run_log_insert (self->run, "contacts", crm_record_get_id (CRM_RECORD (d->contact)), error))
        return FALSE;
      *out_outcome = OUTCOME_CREATED;
      return TRUE;
    }

  if (!by_key && self->duplicates == CRM_IMPORT_DUPLICATES_SKIP)
    {
      *out_outcome = OUTCOME_SKIPPED;
      return TRUE;
    }

  existing = crm_store_get (self->store, CRM_TYPE_CONTACT, existing_id, error);
  if (existing == NULL)
    return FALSE;
  before = crm_record_to_json (existing);
  crm_merge_fill_fields (existing, CRM_RECORD (d->contact), by_key, TRUE);
  if (!crm_record_has_changes (existing))
    {
      *out_outcome = OUTCOME_SKIPPED;
      return TRUE;
    }
  if (!flush_inserts (self, error) ||
      !crm_import_run_log_update (self->run, existing, before, error) ||
      !crm_store_update (self->store, existing, error))
    return FALSE;
  *out_outcome = OUTCOME_UPDATED;
  return TRUE;
}

/* Imports one row. Returns FALSE only for failures that stop the import
 * (the disk, the database); a row's own problems are reported and
 * counted. */
static gboolean
import_row (CrmContactImporter  *self,
            guint64              row,
            const RowValue      *values,
            guint                n_values,
            GError             **error)
{
  CrmImportSummary *summary = crm_import_run_get_summary (self->run);
  Draft d = { 0 };
  g_autoptr(GError) local_error = NULL;
  Outcome outcome = OUTCOME_SKIPPED;
  gboolean ok = TRUE;

  /* No savepoint of its own: each write below is atomic in the store, and
   * an organization created for a row that then fails is a real
   * organization, recorded in the run like the others. */
  if (!read_row (self, &d, row, values, n_values))
    summary->skipped++;
  else if (d.problems > 0)
    summary->errors++;
  else if (!write_row (self, &d, &outcome, &local_error))
    {
      if (is_row_error (local_error))
        {
          crm_import_run_add_problem (self->run, row, "", "", local_error->message);
          summary->errors++;
        }
      else
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          ok = FALSE;
        }
    }
  else if (outcome == OUTCOME_CREATED)
    summary->created++;
  else if (outcome == OUTCOME_UPDATED)
    summary->updated++;
  else
    summary->skipped++;

  draft_clear (&d);
  return ok;
}

/* --- Sources -------------------------------------------------------------- */

typedef gboolean (*NextRowFunc) (gpointer       source,
                                 guint64       *out_row,
                                 GArray        *values,
                                 GCancellable  *cancellable,
                                 GError       **error);

typedef struct
{
  CrmContactImporter *self;
  CrmCsvReader *reader;
} CsvSource;

static gboolean
csv_next_row (gpointer       data,
              guint64       *out_row,
              GArray        *values,
              GCancellable  *cancellable,
              GError       **error)
{
  CsvSource *source = data;
  CrmContactImporter *self = source->self;

  for (;;)
    {
      g_autoptr(GError) row_error = NULL;
      CrmCsvReadResult result = crm_csv_reader_read_row (source->reader, cancellable, &row_error);
      guint n;

      switch (result)
        {
        case CRM_CSV_READ_ROW:
          break;
        case CRM_CSV_READ_BAD_ROW:
          crm_import_run_add_problem (self->run, crm_csv_reader_get_row_number (source->reader),
                                      "", "", row_error->message);
          crm_import_run_get_summary (self->run)->errors++;
          continue;
        case CRM_CSV_READ_END:
          return FALSE;
        case CRM_CSV_READ_FAILED:
        default:
          g_propagate_error (error, g_steal_pointer (&row_error));
          return FALSE;
        }

      *out_row = crm_csv_reader_get_row_number (source->reader);
      n = crm_csv_reader_get_n_fields (source->reader);
      g_array_set_size (values, 0);
      for (guint i = 0; i < n; i++)
        {
          const char *field = crm_import_mapping_get_field (self->mapping, i);
          RowValue v;

          if (field == NULL)
            {
              /* Text in a column that has no header is not silently lost. */
              if (i >= crm_import_mapping_get_n_columns (self->mapping) &&
                  *crm_csv_reader_get_field (source->reader, i) != '\0')
                {
                  g_autofree char *message = g_strdup_printf (_("Row %" PRIu64 " has more columns than the header (%u); the extra values were not imported."),
                                                              *out_row, crm_import_mapping_get_n_columns (self->mapping));
                  g_autofree char *column = g_strdup_printf ("%u", i + 1);

                  crm_import_run_add_problem (self->run, *out_row, column,
                                              crm_csv_reader_get_field (source->reader, i), message);
                  crm_import_run_get_summary (self->run)->errors++;
                  g_array_set_size (values, 0);
                  break;
                }
              continue;
            }
          v.field = field;
          v.column = crm_import_mapping_get_header (self->mapping, i);
          v.value = g_strstrip ((char *) crm_csv_reader_get_field (source->reader, i));
          g_array_append_val (values, v);
        }
      if (values->len == 0 && n > crm_import_mapping_get_n_columns (self->mapping))
        continue;
      return TRUE;
    }
}

typedef struct
{
  CrmVCardReader *reader;
} VCardSource;

static gboolean
vcard_next_row (gpointer       data,
                guint64       *out_row,
                GArray        *values,
                GCancellable  *cancellable,
                GError       **error)
{
  VCardSource *source = data;
  GPtrArray *card = NULL;

  if (!crm_vcard_reader_next (source->reader, &card, cancellable, error))
    return FALSE;
  *out_row = crm_vcard_reader_get_card_number (source->reader);
  g_array_set_size (values, 0);
  for (guint i = 0; i < card->len; i++)
    {
      CrmVCardValue *cv = g_ptr_array_index (card, i);
      RowValue v = { cv->field, cv->property, cv->value };

      g_array_append_val (values, v);
    }
  return TRUE;
}

static gboolean
is_vcard_file (const char *path)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  char head[64];
  gsize n = 0;

  if (g_str_has_suffix (path, ".vcf") || g_str_has_suffix (path, ".VCF") || g_str_has_suffix (path, ".vcard"))
    return TRUE;
  file = g_file_new_for_path (path);
  in = g_file_read (file, NULL, NULL);
  if (in == NULL || !g_input_stream_read_all (G_INPUT_STREAM (in), head, sizeof head, &n, NULL, NULL))
    return FALSE;
  return crm_vcard_sniff (head, n);
}

/* The chunk's outbox, audit and run counts, then its commit. On failure
 * the chunk is rolled back. */
static gboolean
commit_chunk (CrmContactImporter  *self,
              GError             **error)
{
  if (!flush_inserts (self, error) ||
      !crm_import_run_save_progress (self->run, error))
    {
      crm_store_rollback (self->store);
      self->pending_from = 0;
      self->search_from = 0;
      return FALSE;
    }
  /* A failed commit rolls back by itself. */
  self->pending_from = 0;
  self->search_from = 0;
  return crm_store_commit (self->store, error);
}

/* The loop shared by CSV and vCard: rows in chunks of one transaction
 * each, the run's counts saved with every chunk. */
static gboolean
import_rows (CrmContactImporter    *self,
             NextRowFunc            next_row,
             gpointer               source,
             CrmCsvReader          *reader,
             GCancellable          *cancellable,
             CrmImportProgressFunc  progress,
             gpointer               user_data,
             GError               **error)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (RowValue));
  CrmImportSummary *summary = crm_import_run_get_summary (self->run);
  CrmImportSummary at_chunk_start = *summary;
  guint in_chunk = 0;
  guint64 rows = 0;
  g_autoptr(GError) local_error = NULL;

  for (;;)
    {
      guint64 row = 0;

      if (in_chunk == 0)
        {
          at_chunk_start = *summary;
          if (!crm_store_begin (self->store, error))
            return FALSE;
        }

      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error) ||
          !next_row (source, &row, values, cancellable, &local_error))
        break;

      if (!import_row (self, row, (const RowValue *) (gpointer) values->data, values->len, &local_error))
        break;
      rows++;

      if (++in_chunk >= self->chunk_size)
        {
          if (!commit_chunk (self, error))
            {
              *summary = at_chunk_start;
              return FALSE;
            }
          in_chunk = 0;
          if (progress != NULL)
            progress (rows, reader != NULL ? crm_csv_reader_get_bytes_read (reader) : 0,
                      reader != NULL ? crm_csv_reader_get_size (reader) : 0, user_data);
        }
    }

  if (local_error != NULL)
    {
      /* Cancelled or failed: the current chunk goes, the committed stay. */
      crm_store_rollback (self->store);
      self->pending_from = 0;
      self->search_from = 0;
      *summary = at_chunk_start;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!commit_chunk (self, error))
    {
      *summary = at_chunk_start;
      return FALSE;
    }
  if (progress != NULL)
    progress (rows, reader != NULL ? crm_csv_reader_get_size (reader) : 0,
              reader != NULL ? crm_csv_reader_get_size (reader) : 0, user_data);
  return TRUE;
}

static gboolean
open_csv (CrmContactImporter  *self,
          const char          *path,
          CrmCsvReader       **out_reader,
          GError             **error)
{
  g_autoptr(CrmCsvReader) reader = NULL;
  g_autoptr(GError) local_error = NULL;
  CrmCsvReadResult result;

  reader = crm_csv_reader_new_for_path (path, self->encoding, NULL, error);
  if (reader == NULL)
    return FALSE;

  /* The header is the first row that is not blank. */
  result = crm_csv_reader_read_row (reader, NULL, &local_error);
  if (result == CRM_CSV_READ_END)
    {
      g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_EMPTY,
                   _("%s is empty: there is no header row to tell what the columns are."), path);
      return FALSE;
    }
  if (result != CRM_CSV_READ_ROW)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("The header row cannot be read: "));
      return FALSE;
    }

  if (self->mapping == NULL)
    {
      self->mapping = crm_import_mapping_new (CRM_IMPORT_TARGET_CONTACTS);
      if (self->date_order_set)
        crm_import_mapping_set_date_order (self->mapping, self->date_order);
    }
  if (!crm_import_mapping_resolve (self->mapping, crm_csv_reader_get_fields (reader),
                                   crm_csv_reader_get_n_fields (reader), error))
    return FALSE;
  if (crm_import_mapping_find_field (self->mapping, "name") < 0 &&
      crm_import_mapping_find_field (self->mapping, "given_name") < 0 &&
      crm_import_mapping_find_field (self->mapping, "family_name") < 0)
    {
      g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_MAPPING,
                   _("No column holds the name (looked for headers such as 姓名, 客户名称 or Name). Rename that column or map it with a template (--mapping)."));
      return FALSE;
    }

  g_free (self->detected_encoding);
  self->detected_encoding = g_strdup (crm_csv_reader_get_encoding (reader));
  *out_reader = g_steal_pointer (&reader);
  return TRUE;
}

gboolean
crm_contact_importer_run (CrmContactImporter    *self,
                          const char            *path,
                          GCancellable          *cancellable,
                          CrmImportProgressFunc  progress,
                          gpointer               user_data,
                          GError               **error)
{
  g_autoptr(CrmCsvReader) reader = NULL;
  g_autoptr(CrmVCardReader) vcard = NULL;
  g_autoptr(GFileInputStream) vcard_in = NULL;
  g_autoptr(GError) local_error = NULL;
  CsvSource csv_source = { self, NULL };
  VCardSource vcard_source = { NULL };
  gboolean is_vcard;
  gboolean began = FALSE;
  gboolean ok;
  const char *status;
  g_autoptr(CrmStoreBulk) bulk = NULL;

  g_return_val_if_fail (CRM_IS_CONTACT_IMPORTER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  g_clear_object (&self->run);
  g_hash_table_remove_all (self->organizations);
  self->run = crm_import_run_new (self->store, "contacts", self->dry_run);

  /* Opening reads only the header and a sample, so it is not cancelled:
   * a cancel that comes this early still leaves a "cancelled" run on
   * record, like one that comes later. */
  is_vcard = is_vcard_file (path);
  if (is_vcard)
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);

      vcard_in = g_file_read (file, NULL, error);
      if (vcard_in == NULL)
        return FALSE;
      vcard = crm_vcard_reader_new (G_INPUT_STREAM (vcard_in));
      vcard_source.reader = vcard;
      g_free (self->detected_encoding);
      self->detected_encoding = g_strdup ("vCard");
    }
  else
    {
      if (!open_csv (self, path, &reader, error))
        return FALSE;
      csv_source.reader = reader;
    }

  crm_import_run_set_source (self->run, path, is_vcard ? "vcard" : "csv", self->detected_encoding);
  if (self->errors_path != NULL &&
      !crm_import_run_set_errors_path (self->run, self->errors_path, error))
    return FALSE;
  if (!crm_import_run_begin (self->run, error))
    return FALSE;

  /* The store's own 32 MB cache holds a chunk's pages: a larger one
   * gained 8% at 1M rows for twice the memory. */
  bulk = crm_store_bulk_begin (self->store, 0, CRM_STORE_BULK_UNMAP);
  /* A failure from here on still finishes the run (status failed), so no
   * run is left "running". */
  if (self->dry_run)
    {
      /* Everything below happens inside this transaction and is undone. */
      ok = began = crm_store_begin (self->store, &local_error);
    }
  else
    ok = TRUE;

  if (ok && is_vcard)
    ok = import_rows (self, vcard_next_row, &vcard_source, NULL, cancellable, progress, user_data, &local_error);
  else if (ok)
    ok = import_rows (self, csv_next_row, &csv_source, reader, cancellable, progress, user_data, &local_error);

  if (began)
    crm_store_rollback (self->store);

  /* Each chunk indexed its own contacts. An index left switched off by
   * an older version's import that crashed is rebuilt here, as that
   * import would have. */
  if (!self->dry_run && crm_contact_search_get_deferred (self->store) &&
      !crm_contact_search_rebuild (self->store, ok ? &local_error : NULL) && ok)
    ok = FALSE;
  g_clear_pointer (&bulk, crm_store_bulk_end);

  if (ok)
    status = "done";
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    status = "cancelled";
  else
    status = "failed";

  if (!crm_import_run_finish (self->run, status, ok ? &local_error : NULL) && ok)
    ok = FALSE;

  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}
