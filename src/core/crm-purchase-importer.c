/* crm-purchase-importer.c: importing purchase records from CSV, matched to contacts by email, phone or external id */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm-contact-lookup.h"
#include "crm-contact.h"
#include "crm-csv-reader.h"
#include "crm-date-parse.h"
#include "crm-import-error.h"
#include "crm-purchase-importer.h"
#include "crm-purchase.h"
#include "crm-store-private.h"
#include "crm-value.h"

struct _CrmPurchaseImporter
{
  GObject parent_instance;

  CrmStore *store;
  gboolean dry_run;
  gboolean create_missing;
  CrmImportMapping *mapping;
  char *encoding;
  char *errors_path;
  guint chunk_size;
  CrmImportRun *run;
};

G_DEFINE_FINAL_TYPE (CrmPurchaseImporter, crm_purchase_importer, G_TYPE_OBJECT)

static void
crm_purchase_importer_finalize (GObject *object)
{
  CrmPurchaseImporter *self = CRM_PURCHASE_IMPORTER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->mapping);
  g_clear_object (&self->run);
  g_free (self->encoding);
  g_free (self->errors_path);

  G_OBJECT_CLASS (crm_purchase_importer_parent_class)->finalize (object);
}

static void
crm_purchase_importer_class_init (CrmPurchaseImporterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = crm_purchase_importer_finalize;
}

static void
crm_purchase_importer_init (CrmPurchaseImporter *self)
{
  self->chunk_size = 2000;
}

CrmPurchaseImporter *
crm_purchase_importer_new (CrmStore *store)
{
  CrmPurchaseImporter *self = g_object_new (CRM_TYPE_PURCHASE_IMPORTER, NULL);

  self->store = g_object_ref (store);
  return self;
}

void
crm_purchase_importer_set_dry_run (CrmPurchaseImporter *self,
                                   gboolean             dry_run)
{
  self->dry_run = dry_run;
}

void
crm_purchase_importer_set_create_missing (CrmPurchaseImporter *self,
                                          gboolean             create_missing)
{
  self->create_missing = create_missing;
}

void
crm_purchase_importer_set_mapping (CrmPurchaseImporter *self,
                                   CrmImportMapping    *mapping)
{
  g_set_object (&self->mapping, mapping);
}

void
crm_purchase_importer_set_encoding (CrmPurchaseImporter *self,
                                    const char          *encoding)
{
  g_free (self->encoding);
  self->encoding = g_strdup (encoding);
}

void
crm_purchase_importer_set_errors_path (CrmPurchaseImporter *self,
                                       const char          *path)
{
  g_free (self->errors_path);
  self->errors_path = g_strdup (path);
}

void
crm_purchase_importer_set_chunk_size (CrmPurchaseImporter *self,
                                      guint                rows)
{
  self->chunk_size = MAX (rows, 1);
}

CrmImportRun *
crm_purchase_importer_get_run (CrmPurchaseImporter *self)
{
  return self->run;
}

/* --- Amounts -------------------------------------------------------------- */

gboolean
crm_purchase_parse_amount (const char   *text,
                           gint64       *out_minor,
                           const char  **out_currency,
                           GError      **error)
{
  static const struct { const char *sign; const char *currency; } signs[] = {
    { "¥", "CNY" }, { "￥", "CNY" }, { "RMB", "CNY" }, { "CNY", "CNY" }, { "元", "CNY" },
    { "€", "EUR" }, { "EUR", "EUR" }, { "£", "GBP" }, { "GBP", "GBP" },
    { "US$", "USD" }, { "USD", "USD" }, { "$", "USD" }, { "HK$", "HKD" }, { "HKD", "HKD" },
  };
  g_autoptr(GString) s = g_string_new (text != NULL ? text : "");
  const char *currency = NULL;
  const char *last_comma;
  const char *last_dot;
  g_autoptr(GError) local_error = NULL;

  /* HK$ and US$ before $. */
  for (guint i = 0; i < G_N_ELEMENTS (signs); i++)
    if (strstr (s->str, signs[i].sign) != NULL)
      {
        if (currency == NULL)
          currency = signs[i].currency;
        g_string_replace (s, signs[i].sign, "", 0);
      }
  /* Spaces, no-break spaces and apostrophes group thousands in Europe. */
  g_string_replace (s, "\xC2\xA0", "", 0);
  g_string_replace (s, "\xE2\x80\xAF", "", 0);
  g_string_replace (s, " ", "", 0);
  g_string_replace (s, "'", "", 0);

  last_comma = strrchr (s->str, ',');
  last_dot = strrchr (s->str, '.');
  if (last_comma != NULL && last_dot != NULL)
    {
      /* Whichever comes last is the decimal separator. */
      if (last_comma > last_dot)
        {
          g_string_replace (s, ".", "", 0);
          g_string_replace (s, ",", ".", 0);
        }
      else
        g_string_replace (s, ",", "", 0);
    }
  else if (last_comma != NULL)
    {
      gsize after = strlen (last_comma + 1);

      /* One comma with one or two digits after it is a decimal comma
       * (12,5 or 1234,50); 1,234 groups thousands. */
      if (strchr (s->str, ',') == last_comma && after >= 1 && after <= 2)
        g_string_replace (s, ",", ".", 0);
      else
        g_string_replace (s, ",", "", 0);
    }
  else if (last_dot != NULL && strchr (s->str, '.') != last_dot)
    g_string_replace (s, ".", "", 0);   /* 1.234.567 */

  if (!crm_value_parse_money ("amount", s->str, out_minor, &local_error))
    {
      g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_INVALID_VALUE,
                   _("“%s” is not an amount. Write it like 1234.50 or ¥1,234.50."), text);
      return FALSE;
    }
  if (*out_minor < 0)
    {
      g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_INVALID_VALUE,
                   _("“%s” is negative. Record refunds as a separate negative adjustment, not as a purchase."), text);
      return FALSE;
    }
  if (out_currency != NULL)
    *out_currency = currency;
  return TRUE;
}

/* Dates with an optional time of day, in local time as spreadsheets
 * write them, stored as UTC. */
static gboolean
parse_purchased_at (const char   *text,
                    CrmDateOrder  order,
                    char        **out_timestamp,
                    GError      **error)
{
  g_autofree char *date = NULL;
  g_autofree char *copy = g_strstrip (g_strdup (text));
  const char *time_part = NULL;
  guint h = 0, m = 0, sec = 0;
  g_auto(GStrv) ymd = NULL;
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) utc = NULL;

  if (strchr (copy, 'T') != NULL && g_str_has_suffix (copy, "Z"))
    return crm_value_parse_timestamp ("purchased_at", copy, out_timestamp, error);

  if (!crm_date_parse (copy, order, &date, error))
    return FALSE;
  time_part = strchr (copy, ' ');
  if (time_part == NULL)
    time_part = strchr (copy, 'T');
  if (time_part != NULL && sscanf (time_part + 1, "%u:%u:%u", &h, &m, &sec) < 2)
    h = m = sec = 0;

  ymd = g_strsplit (date, "-", 3);
  dt = g_date_time_new (local, atoi (ymd[0]), atoi (ymd[1]), atoi (ymd[2]),
                        (int) MIN (h, 23), (int) MIN (m, 59), MIN (sec, 59));
  if (dt == NULL)
    return crm_value_parse_timestamp ("purchased_at", copy, out_timestamp, error);
  utc = g_date_time_to_utc (dt);
  *out_timestamp = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
  return TRUE;
}

/* --- Rows ----------------------------------------------------------------- */

typedef struct
{
  const char *values[32];    /* by field, see field_index() */
  const char *columns[32];
} Row;

static const char * const row_fields[] = {
  "name", "email", "phone", "external_id", "product", "category", "quantity",
  "amount", "currency", "purchased_at", "channel", "order_ref", NULL
};

enum { F_NAME, F_EMAIL, F_PHONE, F_EXTERNAL_ID, F_PRODUCT, F_CATEGORY, F_QUANTITY,
       F_AMOUNT, F_CURRENCY, F_PURCHASED_AT, F_CHANNEL, F_ORDER_REF };

static int
field_index (const char *field)
{
  for (int i = 0; row_fields[i] != NULL; i++)
    if (g_strcmp0 (row_fields[i], field) == 0)
      return i;
  return -1;
}

static const char *
value_of (Row *row,
          int  f)
{
  return row->values[f] != NULL && row->values[f][0] != '\0' ? row->values[f] : NULL;
}

static const char *
column_of (Row *row,
           int  f)
{
  return row->columns[f] != NULL ? row->columns[f] : crm_import_field_get_label (row_fields[f]);
}

static char *
find_contact (CrmPurchaseImporter  *self,
              Row                  *row,
              char                **out_e164,
              GError              **error)
{
  char *id = NULL;

  if (value_of (row, F_EXTERNAL_ID) != NULL)
    id = crm_contact_lookup_by_external_id (self->store, value_of (row, F_EXTERNAL_ID), error);
  if (id == NULL && value_of (row, F_EMAIL) != NULL && (error == NULL || *error == NULL))
    id = crm_contact_lookup_by_email (self->store, value_of (row, F_EMAIL), error);
  if (value_of (row, F_PHONE) != NULL)
    crm_value_parse_phone ("phone", value_of (row, F_PHONE), out_e164, NULL);
  if (id == NULL && *out_e164 != NULL && (error == NULL || *error == NULL))
    id = crm_contact_lookup_by_phone (self->store, *out_e164, error);
  return id;
}

static gboolean
has_order (CrmPurchaseImporter  *self,
           const char           *contact_id,
           const char           *order_ref)
{
  static const char sql[] =
    "SELECT 1 FROM purchases WHERE order_ref = ? AND contact_id = ? AND deleted = 0 LIMIT 1";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store, sql, NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, order_ref, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, contact_id, -1, SQLITE_TRANSIENT);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

static char *
create_contact (CrmPurchaseImporter  *self,
                Row                  *row,
                GError              **error)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  const char *name = value_of (row, F_NAME);

  if (name == NULL)
    name = value_of (row, F_EMAIL) != NULL ? value_of (row, F_EMAIL) : value_of (row, F_PHONE);
  if (!crm_contact_set_field_from_string (contact, "name", name, error) ||
      (value_of (row, F_EMAIL) != NULL && !crm_contact_set_field_from_string (contact, "email", value_of (row, F_EMAIL), error)) ||
      (value_of (row, F_PHONE) != NULL && !crm_contact_set_field_from_string (contact, "phone", value_of (row, F_PHONE), error)) ||
      (value_of (row, F_EXTERNAL_ID) != NULL && !crm_contact_set_field_from_string (contact, "external_id", value_of (row, F_EXTERNAL_ID), error)) ||
      !crm_store_insert (self->store, CRM_RECORD (contact), error) ||
      !crm_import_run_log_insert (self->run, "contacts", crm_record_get_id (CRM_RECORD (contact)), error))
    return NULL;
  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

typedef enum { ROW_CREATED, ROW_SKIPPED, ROW_ERROR, ROW_FAILED } RowResult;

static RowResult
import_row (CrmPurchaseImporter  *self,
            guint64               n,
            Row                  *row,
            GError              **error)
{
  CrmDateOrder order = crm_import_mapping_get_date_order (self->mapping);
  g_autoptr(CrmPurchase) purchase = crm_purchase_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contact_id = NULL;
  g_autofree char *e164 = NULL;
  g_autofree char *purchased_at = NULL;
  g_autofree char *amount_text = NULL;
  const char *currency = NULL;
  gint64 amount = 0;
  guint problems = 0;
  gboolean any = FALSE;

  for (int f = 0; row_fields[f] != NULL; f++)
    any |= value_of (row, f) != NULL;
  if (!any)
    return ROW_SKIPPED;

#define PROBLEM(f, msg) G_STMT_START { \
    crm_import_run_add_problem (self->run, n, column_of (row, f), row->values[f] ? row->values[f] : "", msg); \
    problems++; } G_STMT_END

  if (value_of (row, F_PRODUCT) == NULL)
    PROBLEM (F_PRODUCT, _("The product is empty. Every purchase needs one."));
  else
    crm_record_set_field_from_string (CRM_RECORD (purchase), "product", value_of (row, F_PRODUCT), NULL);
  if (value_of (row, F_CATEGORY) != NULL)
    crm_record_set_field_from_string (CRM_RECORD (purchase), "category", value_of (row, F_CATEGORY), NULL);
  if (value_of (row, F_CHANNEL) != NULL)
    crm_record_set_field_from_string (CRM_RECORD (purchase), "channel", value_of (row, F_CHANNEL), NULL);
  if (value_of (row, F_ORDER_REF) != NULL)
    crm_record_set_field_from_string (CRM_RECORD (purchase), "order_ref", value_of (row, F_ORDER_REF), NULL);
  if (value_of (row, F_QUANTITY) != NULL &&
      !crm_record_set_field_from_string (CRM_RECORD (purchase), "quantity", value_of (row, F_QUANTITY), &local_error))
    {
      PROBLEM (F_QUANTITY, local_error->message);
      g_clear_error (&local_error);
    }

  if (value_of (row, F_AMOUNT) == NULL)
    PROBLEM (F_AMOUNT, _("The amount is empty."));
  else if (!crm_purchase_parse_amount (value_of (row, F_AMOUNT), &amount, &currency, &local_error))
    {
      PROBLEM (F_AMOUNT, local_error->message);
      g_clear_error (&local_error);
    }
  else
    {
      amount_text = crm_value_format_money (amount);
      crm_record_set_field_from_string (CRM_RECORD (purchase), "amount", amount_text, NULL);
    }
  if (value_of (row, F_CURRENCY) != NULL)
    {
      g_autofree char *upper = g_ascii_strup (value_of (row, F_CURRENCY), -1);

      if (g_str_equal (upper, "RMB") || g_str_equal (upper, "人民币") || g_str_equal (upper, "元"))
        g_free (g_steal_pointer (&upper)), upper = g_strdup ("CNY");
      if (!crm_record_set_field_from_string (CRM_RECORD (purchase), "currency", upper, &local_error))
        {
          PROBLEM (F_CURRENCY, local_error->message);
          g_clear_error (&local_error);
        }
    }
  else if (currency != NULL)
    crm_record_set_field_from_string (CRM_RECORD (purchase), "currency", currency, NULL);

  if (value_of (row, F_PURCHASED_AT) == NULL)
    PROBLEM (F_PURCHASED_AT, _("The purchase date is empty."));
  else if (!parse_purchased_at (value_of (row, F_PURCHASED_AT), order, &purchased_at, &local_error))
    {
      PROBLEM (F_PURCHASED_AT, local_error->message);
      g_clear_error (&local_error);
    }
  else
    crm_record_set_field_from_string (CRM_RECORD (purchase), "purchased_at", purchased_at, NULL);

  if (value_of (row, F_EXTERNAL_ID) == NULL && value_of (row, F_EMAIL) == NULL && value_of (row, F_PHONE) == NULL)
    {
      crm_import_run_add_problem (self->run, n, "", "",
                                  _("The row names no customer: it needs an email, a phone number or a customer number."));
      problems++;
    }
  if (problems > 0)
    return ROW_ERROR;
#undef PROBLEM

  if (!crm_store_begin (self->store, error))
    return ROW_FAILED;
  contact_id = find_contact (self, row, &e164, &local_error);
  if (contact_id == NULL && local_error == NULL)
    {
      if (!self->create_missing)
        {
          int f = value_of (row, F_EXTERNAL_ID) ? F_EXTERNAL_ID : value_of (row, F_EMAIL) ? F_EMAIL : F_PHONE;

          crm_store_rollback (self->store);
          crm_import_run_add_problem (self->run, n, column_of (row, f), row->values[f],
                                      _("No contact has this email, phone number or customer number. Import the contacts first, or use --create-missing."));
          return ROW_ERROR;
        }
      contact_id = create_contact (self, row, &local_error);
    }
  if (contact_id != NULL && value_of (row, F_ORDER_REF) != NULL &&
      has_order (self, contact_id, value_of (row, F_ORDER_REF)))
    {
      crm_store_rollback (self->store);
      return ROW_SKIPPED;
    }
  if (contact_id == NULL ||
      !crm_record_set_field_from_string (CRM_RECORD (purchase), "contact_id", contact_id, &local_error) ||
      !crm_store_insert (self->store, CRM_RECORD (purchase), &local_error) ||
      !crm_import_run_log_insert (self->run, "purchases", crm_record_get_id (CRM_RECORD (purchase)), &local_error) ||
      !crm_store_commit (self->store, &local_error))
    {
      if (crm_store_in_transaction (self->store))
        crm_store_rollback (self->store);
      if (local_error->domain == CRM_STORE_ERROR && local_error->code == CRM_STORE_ERROR_INVALID)
        {
          crm_import_run_add_problem (self->run, n, "", "", local_error->message);
          return ROW_ERROR;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return ROW_FAILED;
    }
  return ROW_CREATED;
}

gboolean
crm_purchase_importer_run (CrmPurchaseImporter    *self,
                           const char             *path,
                           GCancellable           *cancellable,
                           CrmImportProgressFunc   progress,
                           gpointer                user_data,
                           GError                **error)
{
  g_autoptr(CrmCsvReader) reader = NULL;
  g_autoptr(GError) local_error = NULL;
  CrmImportSummary *summary;
  CrmImportSummary at_chunk_start;
  guint in_chunk = 0;
  guint64 rows = 0;
  gboolean ok = TRUE;
  gboolean chunk_open = FALSE;
  int columns[256];
  guint n_columns;

  g_return_val_if_fail (CRM_IS_PURCHASE_IMPORTER (self), FALSE);

  g_clear_object (&self->run);
  self->run = crm_import_run_new (self->store, "purchases", self->dry_run);
  summary = crm_import_run_get_summary (self->run);

  reader = crm_csv_reader_new_for_path (path, self->encoding, cancellable, error);
  if (reader == NULL)
    return FALSE;
  if (crm_csv_reader_read_row (reader, cancellable, &local_error) != CRM_CSV_READ_ROW)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_EMPTY,
                     _("%s is empty: there is no header row to tell what the columns are."), path);
      return FALSE;
    }
  if (self->mapping == NULL)
    self->mapping = crm_import_mapping_new (CRM_IMPORT_TARGET_PURCHASES);
  if (!crm_import_mapping_resolve (self->mapping, crm_csv_reader_get_fields (reader),
                                   crm_csv_reader_get_n_fields (reader), error))
    return FALSE;
  n_columns = MIN (crm_import_mapping_get_n_columns (self->mapping), G_N_ELEMENTS (columns));
  for (guint i = 0; i < n_columns; i++)
    columns[i] = field_index (crm_import_mapping_get_field (self->mapping, i));
  if (crm_import_mapping_find_field (self->mapping, "product") < 0 ||
      crm_import_mapping_find_field (self->mapping, "amount") < 0 ||
      crm_import_mapping_find_field (self->mapping, "purchased_at") < 0)
    {
      g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_MAPPING,
                   _("A purchases file needs columns for the product, the amount and the date (such as 商品, 金额, 购买日期). Rename them or map them with a template (--mapping)."));
      return FALSE;
    }

  crm_import_run_set_source (self->run, path, "csv", crm_csv_reader_get_encoding (reader));
  if ((self->errors_path != NULL && !crm_import_run_set_errors_path (self->run, self->errors_path, error)) ||
      !crm_import_run_begin (self->run, error))
    return FALSE;
  if (self->dry_run && !crm_store_begin (self->store, error))
    return FALSE;

  at_chunk_start = *summary;
  for (;;)
    {
      g_autoptr(GError) row_error = NULL;
      CrmCsvReadResult result;
      Row row = { { 0 } };
      guint64 n;

      if (in_chunk == 0)
        {
          at_chunk_start = *summary;
          if (!crm_store_begin (self->store, &local_error))
            {
              ok = FALSE;
              break;
            }
          chunk_open = TRUE;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        {
          ok = FALSE;
          break;
        }
      result = crm_csv_reader_read_row (reader, cancellable, &row_error);
      n = crm_csv_reader_get_row_number (reader);
      if (result == CRM_CSV_READ_END)
        break;
      if (result == CRM_CSV_READ_FAILED)
        {
          g_propagate_error (&local_error, g_steal_pointer (&row_error));
          ok = FALSE;
          break;
        }
      if (result == CRM_CSV_READ_BAD_ROW)
        {
          crm_import_run_add_problem (self->run, n, "", "", row_error->message);
          summary->errors++;
        }
      else
        {
          for (guint i = 0; i < MIN (crm_csv_reader_get_n_fields (reader), n_columns); i++)
            if (columns[i] >= 0 && row.values[columns[i]] == NULL)
              {
                row.values[columns[i]] = g_strstrip ((char *) crm_csv_reader_get_field (reader, i));
                row.columns[columns[i]] = crm_import_mapping_get_header (self->mapping, i);
              }
          switch (import_row (self, n, &row, &local_error))
            {
            case ROW_CREATED:
              summary->created++;
              break;
            case ROW_SKIPPED:
              summary->skipped++;
              break;
            case ROW_ERROR:
              summary->errors++;
              break;
            case ROW_FAILED:
            default:
              ok = FALSE;
              break;
            }
          if (!ok)
            break;
        }
      rows++;
      if (++in_chunk >= self->chunk_size)
        {
          chunk_open = FALSE;
          if (!crm_import_run_save_progress (self->run, &local_error))
            {
              crm_store_rollback (self->store);
              *summary = at_chunk_start;
              ok = FALSE;
              break;
            }
          if (!crm_store_commit (self->store, &local_error))
            {
              *summary = at_chunk_start;
              ok = FALSE;
              break;
            }
          in_chunk = 0;
          if (progress != NULL)
            progress (rows, crm_csv_reader_get_bytes_read (reader), crm_csv_reader_get_size (reader), user_data);
        }
    }

  if (ok)
    {
      chunk_open = FALSE;
      if (!crm_import_run_save_progress (self->run, &local_error))
        {
          crm_store_rollback (self->store);
          *summary = at_chunk_start;
          ok = FALSE;
        }
      else if (!crm_store_commit (self->store, &local_error))
        {
          *summary = at_chunk_start;
          ok = FALSE;
        }
    }
  else if (chunk_open)
    {
      /* Cancelled or failed: the current chunk goes, the committed stay. */
      crm_store_rollback (self->store);
      *summary = at_chunk_start;
    }
  if (self->dry_run)
    crm_store_rollback (self->store);

  if (!crm_import_run_finish (self->run,
                              ok ? "done" : g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? "cancelled" : "failed",
                              ok ? &local_error : NULL) && ok)
    ok = FALSE;
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}
