/* crm-exporter.c: writing contacts and purchases as CSV (for Excel) or vCard */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "crm-contact-search.h"
#include "crm-contact.h"
#include "crm-csv-writer.h"
#include "crm-encoding.h"
#include "crm-exporter.h"
#include "crm-import-mapping.h"
#include "crm-store-private.h"
#include "crm-value.h"
#include "crm-vcard.h"

#define FLUSH_SIZE (64 * 1024)

static const char * const contact_fields[] = {
  "external_id", "name", "kind", "gender", "birthday", "phone", "email", "organization",
  "title", "occupation", "province", "city", "address", "source", "tags", "notes", NULL
};

static const char * const purchase_fields[] = {
  "name", "email", "phone", "external_id", "product", "category", "quantity", "amount",
  "currency", "purchased_at", "channel", "order_ref", NULL
};

gboolean
crm_export_format_from_string (const char      *text,
                               CrmExportFormat *out_format)
{
  if (g_strcmp0 (text, "csv") == 0)
    *out_format = CRM_EXPORT_CSV;
  else if (g_strcmp0 (text, "vcard") == 0 || g_strcmp0 (text, "vcard3") == 0 || g_strcmp0 (text, "vcf") == 0)
    *out_format = CRM_EXPORT_VCARD_3;
  else if (g_strcmp0 (text, "vcard4") == 0)
    *out_format = CRM_EXPORT_VCARD_4;
  else
    return FALSE;
  return TRUE;
}

/* The stream to write UTF-8 text to: @out itself, or a converter to
 * @encoding. A UTF-8 CSV starts with a BOM so that Excel does not take
 * it for the local ANSI code page. */
static GOutputStream *
open_text_stream (GOutputStream  *out,
                  const char     *encoding,
                  gboolean        bom,
                  GError        **error)
{
  g_autofree char *name = NULL;
  g_autoptr(GCharsetConverter) converter = NULL;
  GOutputStream *stream;

  if (!crm_encoding_normalize_name (encoding, &name, error))
    return NULL;
  if (name == NULL || g_str_equal (name, CRM_ENCODING_UTF8))
    {
      if (bom && !g_output_stream_write_all (out, "\xEF\xBB\xBF", 3, NULL, NULL, error))
        return NULL;
      return g_object_ref (out);
    }
  converter = g_charset_converter_new (name, "UTF-8", error);
  if (converter == NULL)
    return NULL;
  stream = g_converter_output_stream_new (out, G_CONVERTER (converter));
  g_filter_output_stream_set_close_base_stream (G_FILTER_OUTPUT_STREAM (stream), FALSE);
  return stream;
}

static gboolean
flush_text (GOutputStream  *stream,
            GString        *text,
            gboolean        force,
            GCancellable   *cancellable,
            GError        **error)
{
  if (text->len == 0 || (!force && text->len < FLUSH_SIZE))
    return TRUE;
  if (!g_output_stream_write_all (stream, text->str, text->len, NULL, cancellable, error))
    return FALSE;
  g_string_truncate (text, 0);
  return TRUE;
}

static char *
organization_name (CrmStore   *store,
                   GHashTable *cache,
                   const char *id)
{
  static const char sql[] = "SELECT name FROM contacts WHERE id = ?";
  g_autoptr(CrmCachedStmt) stmt = NULL;
  const char *cached;
  char *name = NULL;

  if (id == NULL)
    return NULL;
  if (g_hash_table_lookup_extended (cache, id, NULL, (gpointer *) &cached))
    return g_strdup (cached);
  stmt = crm_store_prepare (store, sql, NULL);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  g_hash_table_insert (cache, g_strdup (id), g_strdup (name));
  return name;
}

static char *
contact_value (CrmContact *contact,
               const char *field,
               const char *organization)
{
  CrmRecord *record = CRM_RECORD (contact);

  if (g_str_equal (field, "organization"))
    return g_strdup (organization);
  if (g_str_equal (field, "phone"))
    {
      g_auto(GStrv) phones = crm_contact_dup_phone_numbers (contact);
      return g_strjoinv (", ", phones);
    }
  if (g_str_equal (field, "email"))
    return crm_record_dup_field_as_string (record, "emails");
  return crm_record_dup_field_as_string (record, field);
}

/* The ids to export, in list order; NULL @search means all. */
static GPtrArray *
contact_ids (CrmStore    *store,
             const char  *search,
             GError     **error)
{
  static const char sql[] = "SELECT id FROM contacts WHERE deleted = 0 ORDER BY name_sort, rid";
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  int rc;

  if (search != NULL && *search != '\0')
    return crm_contact_search (store, search, G_MAXUINT, 0, NULL, error);

  /* Ids are small next to records; records are loaded one at a time. */
  stmt = crm_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  ids = g_ptr_array_new_with_free_func (g_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

gboolean
crm_export_contacts (CrmStore         *store,
                     GOutputStream    *out,
                     CrmExportFormat   format,
                     const char       *encoding,
                     const char       *search,
                     GCancellable     *cancellable,
                     guint64          *out_count,
                     GError          **error)
{
  g_autoptr(GOutputStream) stream = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GHashTable) organizations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GString) text = g_string_new (NULL);
  guint n_fields = g_strv_length ((char **) contact_fields);
  guint64 count = 0;

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);

  ids = contact_ids (store, search, error);
  if (ids == NULL)
    return FALSE;
  stream = open_text_stream (out, encoding, format == CRM_EXPORT_CSV, error);
  if (stream == NULL)
    return FALSE;

  if (format == CRM_EXPORT_CSV)
    {
      const char *header[G_N_ELEMENTS (contact_fields)];

      for (guint i = 0; i < n_fields; i++)
        header[i] = crm_import_field_get_label (contact_fields[i]);
      crm_csv_append_row (text, header, n_fields, ',');
    }

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(CrmContact) contact = crm_store_get (store, CRM_TYPE_CONTACT, g_ptr_array_index (ids, i), error);
      g_autofree char *organization = NULL;

      if (contact == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      organization = organization_name (store, organizations,
                                        crm_record_get_string (CRM_RECORD (contact), "organization_id"));
      if (format == CRM_EXPORT_CSV)
        {
          g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);

          for (guint f = 0; f < n_fields; f++)
            g_ptr_array_add (values, contact_value (contact, contact_fields[f], organization));
          crm_csv_append_row (text, (const char * const *) values->pdata, n_fields, ',');
        }
      else
        crm_vcard_append_contact (text, contact, organization,
                                  format == CRM_EXPORT_VCARD_4 ? CRM_VCARD_VERSION_4_0 : CRM_VCARD_VERSION_3_0);
      count++;
      if (!flush_text (stream, text, FALSE, cancellable, error))
        return FALSE;
    }

  if (!flush_text (stream, text, TRUE, cancellable, error) ||
      !g_output_stream_flush (stream, cancellable, error))
    return FALSE;
  if (stream != out && !g_output_stream_close (stream, cancellable, error))
    return FALSE;
  if (out_count != NULL)
    *out_count = count;
  return TRUE;
}

gboolean
crm_export_purchases (CrmStore       *store,
                      GOutputStream  *out,
                      const char     *encoding,
                      GCancellable   *cancellable,
                      guint64        *out_count,
                      GError        **error)
{
  static const char sql[] =
    "SELECT c.name, (SELECT value FROM json_each (c.emails) LIMIT 1),"
    " (SELECT json_extract (value, '$.e164') FROM json_each (c.phones) LIMIT 1), c.external_id,"
    " p.product, p.category, p.quantity, p.amount, p.currency, p.purchased_at, p.channel, p.order_ref"
    " FROM purchases p JOIN contacts c ON c.id = p.contact_id"
    " WHERE p.deleted = 0 ORDER BY p.purchased_at, p.id";
  g_autoptr(GOutputStream) stream = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  const char *header[G_N_ELEMENTS (purchase_fields)];
  guint n_fields = g_strv_length ((char **) purchase_fields);
  sqlite3_stmt *stmt = NULL;
  guint64 count = 0;
  int rc;

  stream = open_text_stream (out, encoding, TRUE, error);
  if (stream == NULL)
    return FALSE;
  for (guint i = 0; i < n_fields; i++)
    header[i] = crm_import_field_get_label (purchase_fields[i]);
  crm_csv_append_row (text, header, n_fields, ',');

  /* Stepped while the rows are written: not a cached statement. */
  rc = sqlite3_prepare_v2 (crm_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autofree char *quantity = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 6));
      g_autofree char *amount = crm_value_format_money (sqlite3_column_int64 (stmt, 7));
      const char *values[G_N_ELEMENTS (purchase_fields)];

      for (guint i = 0; i < n_fields; i++)
        values[i] = (const char *) sqlite3_column_text (stmt, (int) i);
      values[6] = quantity;
      values[7] = amount;
      crm_csv_append_row (text, values, n_fields, ',');
      count++;
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !flush_text (stream, text, FALSE, cancellable, error))
        {
          sqlite3_finalize (stmt);
          return FALSE;
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  if (!flush_text (stream, text, TRUE, cancellable, error) ||
      !g_output_stream_flush (stream, cancellable, error))
    return FALSE;
  if (stream != out && !g_output_stream_close (stream, cancellable, error))
    return FALSE;
  if (out_count != NULL)
    *out_count = count;
  return TRUE;
}
