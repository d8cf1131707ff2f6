/* crm-csv-reader.h: streaming RFC 4180 CSV reader with encoding and delimiter detection */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CRM_TYPE_CSV_READER (crm_csv_reader_get_type ())
G_DECLARE_FINAL_TYPE (CrmCsvReader, crm_csv_reader, CRM, CSV_READER, GObject)

#define CRM_CSV_DEFAULT_MAX_FIELD_LENGTH (1024 * 1024)
#define CRM_CSV_DEFAULT_MAX_FIELDS 1024

typedef enum
{
  CRM_CSV_READ_ROW,       /* a row was read: get its fields */
  CRM_CSV_READ_BAD_ROW,   /* a row was skipped (error says why); go on reading */
  CRM_CSV_READ_END,       /* no more rows */
  CRM_CSV_READ_FAILED,    /* error: reading cannot go on (I/O, encoding, cancelled) */
} CrmCsvReadResult;

/* @encoding: a GIConv name, or NULL to detect it (crm-encoding.h). The
 * first 64 KiB are looked at to detect the encoding and the delimiter;
 * the rest is read as it is needed, so memory does not grow with the
 * file. */
CrmCsvReader     *crm_csv_reader_new               (GInputStream   *stream,
                                                    const char     *encoding,
                                                    GCancellable   *cancellable,
                                                    GError        **error);
CrmCsvReader     *crm_csv_reader_new_for_path      (const char     *path,
                                                    const char     *encoding,
                                                    GCancellable   *cancellable,
                                                    GError        **error);

const char       *crm_csv_reader_get_encoding      (CrmCsvReader   *self);
/* ',', ';' or '\t' as detected from the first lines, or as set. */
char              crm_csv_reader_get_delimiter     (CrmCsvReader   *self);
void              crm_csv_reader_set_delimiter     (CrmCsvReader   *self,
                                                    char            delimiter);
/* A longer field (in bytes of UTF-8) or a wider row is reported as a bad
 * row and skipped, and reading continues with the next row. */
void              crm_csv_reader_set_max_field_length (CrmCsvReader *self,
                                                    gsize           max_bytes);
void              crm_csv_reader_set_max_fields    (CrmCsvReader   *self,
                                                    guint           max_fields);

CrmCsvReadResult  crm_csv_reader_read_row          (CrmCsvReader   *self,
                                                    GCancellable   *cancellable,
                                                    GError        **error);
/* The fields of the row just read, valid until the next read. */
guint             crm_csv_reader_get_n_fields      (CrmCsvReader   *self);
const char       *crm_csv_reader_get_field         (CrmCsvReader   *self,
                                                    guint           index);
const char * const *crm_csv_reader_get_fields      (CrmCsvReader   *self);
/* The row number of the row just read (or skipped) as a spreadsheet shows
 * it: the first row of the file is 1, and blank rows count. */
guint64           crm_csv_reader_get_row_number    (CrmCsvReader   *self);
/* Bytes of the file consumed so far, and its size when known (0 if not),
 * for progress. */
guint64           crm_csv_reader_get_bytes_read    (CrmCsvReader   *self);
guint64           crm_csv_reader_get_size          (CrmCsvReader   *self);

G_END_DECLS
