/* crm-csv-reader.c: streaming RFC 4180 CSV reader with encoding and delimiter detection */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crm-csv-reader.h"
#include "crm-encoding.h"
#include "crm-import-error.h"

#define SNIFF_SIZE (64 * 1024)
#define CHUNK_SIZE (64 * 1024)
#define DELIMITER_SAMPLE_LINES 20

typedef enum
{
  STATE_FIELD_START,
  STATE_UNQUOTED,
  STATE_QUOTED,
  STATE_QUOTE_IN_QUOTED,   /* a quote inside a quoted field: "" or the end */
} ParseState;

struct _CrmCsvReader
{
  GObject parent_instance;

  GInputStream *base;       /* the file, for progress */
  GInputStream *text;       /* UTF-8 text (the base, buffered, maybe converted) */
  char *encoding;
  guint64 size;
  gboolean validate_utf8;   /* UTF-8 input is checked row by row */

  guint8 *chunk;
  gsize chunk_len;
  gsize chunk_pos;
  gboolean eof;
  gboolean skip_lf;         /* the last row ended with CR; a following LF belongs to it */

  char delimiter;
  gsize max_field_length;
  guint max_fields;

  GString *row;             /* the fields, each followed by a NUL */
  GArray *offsets;          /* where each field starts in row */
  GPtrArray *fields;        /* pointers into row, NULL-terminated */
  guint64 row_number;
};

G_DEFINE_FINAL_TYPE (CrmCsvReader, crm_csv_reader, G_TYPE_OBJECT)

static void
crm_csv_reader_finalize (GObject *object)
{
  CrmCsvReader *self = CRM_CSV_READER (object);

  g_clear_object (&self->text);
  g_clear_object (&self->base);
  g_clear_pointer (&self->encoding, g_free);
  g_clear_pointer (&self->chunk, g_free);
  g_string_free (self->row, TRUE);
  g_array_unref (self->offsets);
  g_ptr_array_unref (self->fields);

  G_OBJECT_CLASS (crm_csv_reader_parent_class)->finalize (object);
}

static void
crm_csv_reader_class_init (CrmCsvReaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = crm_csv_reader_finalize;
}

static void
crm_csv_reader_init (CrmCsvReader *self)
{
  self->delimiter = ',';
  self->max_field_length = CRM_CSV_DEFAULT_MAX_FIELD_LENGTH;
  self->max_fields = CRM_CSV_DEFAULT_MAX_FIELDS;
  self->chunk = g_malloc (CHUNK_SIZE);
  self->row = g_string_sized_new (256);
  self->offsets = g_array_new (FALSE, FALSE, sizeof (gsize));
  self->fields = g_ptr_array_new ();
}

static gboolean
fill_chunk (CrmCsvReader  *self,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gssize n;

  if (self->eof)
    return TRUE;

  n = g_input_stream_read (self->text, self->chunk, CHUNK_SIZE, cancellable, &local_error);
  if (n < 0)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA) ||
          g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
        g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_ENCODING,
                     _("After row %" PRIu64 " the file is not valid %s text. Choose the encoding it was saved in (for example gb18030 or utf-8)."),
                     self->row_number, self->encoding);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  self->chunk_len = (gsize) n;
  self->chunk_pos = 0;
  if (n == 0)
    self->eof = TRUE;
  return TRUE;
}

/* Counts @delimiter outside quotes on each of the first lines of @text;
 * the delimiter that appears the same (non-zero) number of times on the
 * most lines is the one. */
static guint
delimiter_score (const char *text,
                 gsize       length,
                 char        delimiter)
{
  guint counts[DELIMITER_SAMPLE_LINES] = { 0 };
  guint n_lines = 0;
  gboolean quoted = FALSE;
  guint score = 0;

  for (gsize i = 0; i < length && n_lines < DELIMITER_SAMPLE_LINES; i++)
    {
      char c = text[i];

      if (c == '"')
        quoted = !quoted;
      else if (!quoted && c == delimiter)
        counts[n_lines]++;
      else if (!quoted && (c == '\n' || c == '\r'))
        {
          if (c == '\r' && i + 1 < length && text[i + 1] == '\n')
            i++;
          n_lines++;
        }
    }
  if (n_lines < DELIMITER_SAMPLE_LINES && length > 0)
    n_lines++;   /* the last line, unterminated in the sample */

  if (counts[0] == 0)
    return 0;
  for (guint i = 0; i < n_lines; i++)
    if (counts[i] == counts[0])
      score += 2;
    else if (counts[i] > 0)
      score += 1;
  return score;
}

static void
detect_delimiter (CrmCsvReader *self)
{
  static const char candidates[] = { ',', ';', '\t', '|' };
  guint best_score = 0;

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      guint score = delimiter_score ((const char *) self->chunk, self->chunk_len, candidates[i]);

      if (score > best_score)
        {
          best_score = score;
          self->delimiter = candidates[i];
        }
    }
}

static gboolean
setup (CrmCsvReader  *self,
       GInputStream  *stream,
       const char    *encoding,
       GCancellable  *cancellable,
       GError       **error)
{
  g_autoptr(GInputStream) buffered = g_buffered_input_stream_new_sized (stream, SNIFF_SIZE);
  g_autofree char *forced = NULL;
  const guint8 *peek;
  gsize peek_len = 0;
  gsize bom_length = 0;
  gssize filled;
  const char *detected;

  if (!crm_encoding_normalize_name (encoding, &forced, error))
    return FALSE;

  self->base = g_object_ref (stream);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (buffered), FALSE);

  /* Fill up to SNIFF_SIZE; a pipe may deliver less per read. */
  do
    {
      filled = g_buffered_input_stream_fill (G_BUFFERED_INPUT_STREAM (buffered), -1, cancellable, error);
      if (filled < 0)
        return FALSE;
    }
  while (filled > 0 && g_buffered_input_stream_get_available (G_BUFFERED_INPUT_STREAM (buffered)) < SNIFF_SIZE);

  peek = g_buffered_input_stream_peek_buffer (G_BUFFERED_INPUT_STREAM (buffered), &peek_len);
  detected = crm_encoding_detect (peek, peek_len, filled == 0, &bom_length);

  if (forced == NULL)
    self->encoding = g_strdup (detected);
  else if (bom_length > 0 && g_str_has_prefix (forced, "UTF-16") && g_str_has_prefix (detected, "UTF-16"))
    self->encoding = g_strdup (detected);   /* the BOM tells the byte order */
  else
    {
      self->encoding = g_steal_pointer (&forced);
      if (!g_str_equal (self->encoding, detected))
        bom_length = 0;
    }

  if (bom_length > 0 && g_input_stream_skip (buffered, bom_length, cancellable, error) < 0)
    return FALSE;

  if (g_ascii_strcasecmp (self->encoding, CRM_ENCODING_UTF8) == 0)
    {
      self->text = g_steal_pointer (&buffered);
      self->validate_utf8 = TRUE;
    }
  else
    {
      g_autoptr(GCharsetConverter) converter = g_charset_converter_new ("UTF-8", self->encoding, error);

      if (converter == NULL)
        return FALSE;
      self->text = g_converter_input_stream_new (buffered, G_CONVERTER (converter));
    }

  if (!fill_chunk (self, cancellable, error))
    return FALSE;
  detect_delimiter (self);
  return TRUE;
}

CrmCsvReader *
crm_csv_reader_new (GInputStream  *stream,
                    const char    *encoding,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(CrmCsvReader) self = g_object_new (CRM_TYPE_CSV_READER, NULL);

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  if (!setup (self, stream, encoding, cancellable, error))
    return NULL;
  return g_steal_pointer (&self);
}

CrmCsvReader *
crm_csv_reader_new_for_path (const char    *path,
                             const char    *encoding,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = g_file_read (file, cancellable, error);
  g_autoptr(GFileInfo) info = NULL;
  CrmCsvReader *self;

  if (stream == NULL)
    return NULL;
  self = crm_csv_reader_new (G_INPUT_STREAM (stream), encoding, cancellable, error);
  if (self == NULL)
    return NULL;
  info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable, NULL);
  if (info != NULL)
    self->size = (guint64) g_file_info_get_size (info);
  return self;
}

const char *
crm_csv_reader_get_encoding (CrmCsvReader *self)
{
  g_return_val_if_fail (CRM_IS_CSV_READER (self), NULL);
  return self->encoding;
}

char
crm_csv_reader_get_delimiter (CrmCsvReader *self)
{
  g_return_val_if_fail (CRM_IS_CSV_READER (self), ',');
  return self->delimiter;
}

void
crm_csv_reader_set_delimiter (CrmCsvReader *self,
                              char          delimiter)
{
  g_return_if_fail (CRM_IS_CSV_READER (self));
  g_return_if_fail (delimiter != '"' && delimiter != '\n' && delimiter != '\r' && delimiter != '\0');
  self->delimiter = delimiter;
}

void
crm_csv_reader_set_max_field_length (CrmCsvReader *self,
                                     gsize         max_bytes)
{
  g_return_if_fail (CRM_IS_CSV_READER (self));
  self->max_field_length = max_bytes;
}

void
crm_csv_reader_set_max_fields (CrmCsvReader *self,
                               guint         max_fields)
{
  g_return_if_fail (CRM_IS_CSV_READER (self));
  self->max_fields = max_fields;
}

guint
crm_csv_reader_get_n_fields (CrmCsvReader *self)
{
  g_return_val_if_fail (CRM_IS_CSV_READER (self), 0);
  return self->fields->len > 0 ? self->fields->len - 1 : 0;
}

const char *
crm_csv_reader_get_field (CrmCsvReader *self,
                          guint         index)
{
  g_return_val_if_fail (CRM_IS_CSV_READER (self), NULL);
  if (index >= crm_csv_reader_get_n_fields (self))
    return NULL;
  return g_ptr_array_index (self->fields, index);
}

const char * const *
crm_csv_reader_get_fields (CrmCsvReader *self)
{
  g_return_val_if_fail (CRM_IS_CSV_READER (self), NULL);
  if (self->fields->len == 0)
    g_ptr_array_add (self->fields, NULL);
  return (const char * const *) self->fields->pdata;
}

guint64
crm_csv_reader_get_row_number (CrmCsvReader *self)
{
  g_return_val_if_fail (CRM_IS_CSV_READER (self), 0);
  return self->row_number;
}

guint64
crm_csv_reader_get_bytes_read (CrmCsvReader *self)
{
  g_return_val_if_fail (CRM_IS_CSV_READER (self), 0);
  if (G_IS_SEEKABLE (self->base))
    return (guint64) g_seekable_tell (G_SEEKABLE (self->base));
  return 0;
}

guint64
crm_csv_reader_get_size (CrmCsvReader *self)
{
  g_return_val_if_fail (CRM_IS_CSV_READER (self), 0);
  return self->size;
}

typedef struct
{
  gsize field_length;
  guint n_fields;
  guint long_field;        /* 1-based column of the first too long field, 0 if none */
  gboolean too_many;
  gboolean any_quoted;
} RowState;

static void
start_field (CrmCsvReader *self,
             RowState     *rs)
{
  gsize offset = self->row->len;

  rs->n_fields++;
  rs->field_length = 0;
  if (rs->n_fields > self->max_fields)
    {
      rs->too_many = TRUE;
      return;
    }
  g_array_append_val (self->offsets, offset);
}

static inline void
append_byte (CrmCsvReader *self,
             RowState     *rs,
             char          c)
{
  /* Past a limit the row is only scanned to find its end. */
  if (rs->too_many || rs->long_field != 0)
    return;
  if (++rs->field_length > self->max_field_length)
    {
      rs->long_field = rs->n_fields;
      return;
    }
  g_string_append_c (self->row, c);
}

static inline void
end_field (CrmCsvReader *self,
           RowState     *rs)
{
  if (!rs->too_many && rs->long_field == 0)
    g_string_append_c (self->row, '\0');
}

static CrmCsvReadResult
finish_row (CrmCsvReader  *self,
            RowState      *rs,
            GError       **error)
{
  if (rs->too_many)
    {
      g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_TOO_MANY_FIELDS,
                   _("Row %" PRIu64 " has more than %u columns, so it was skipped. Check the delimiter and the quotes of that row."),
                   self->row_number, self->max_fields);
      return CRM_CSV_READ_BAD_ROW;
    }
  if (rs->long_field != 0)
    {
      g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_FIELD_TOO_LONG,
                   _("Row %" PRIu64 ", column %u is longer than %zu bytes, so the row was skipped. Is a closing quote missing?"),
                   self->row_number, rs->long_field, self->max_field_length);
      return CRM_CSV_READ_BAD_ROW;
    }

  for (guint i = 0; i < self->offsets->len; i++)
    {
      const char *field = self->row->str + g_array_index (self->offsets, gsize, i);

      if (self->validate_utf8 && !g_utf8_validate (field, -1, NULL))
        {
          g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_ENCODING,
                       _("Row %" PRIu64 ", column %u is not valid UTF-8 text, so the row was skipped. The file may be in another encoding; choose it (for example gb18030)."),
                       self->row_number, i + 1);
          return CRM_CSV_READ_BAD_ROW;
        }
      g_ptr_array_add (self->fields, (gpointer) field);
    }
  g_ptr_array_add (self->fields, NULL);
  return CRM_CSV_READ_ROW;
}

CrmCsvReadResult
crm_csv_reader_read_row (CrmCsvReader  *self,
                         GCancellable  *cancellable,
                         GError       **error)
{
  const char delimiter = self->delimiter;

  g_return_val_if_fail (CRM_IS_CSV_READER (self), CRM_CSV_READ_FAILED);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return CRM_CSV_READ_FAILED;

  for (;;)
    {
      RowState rs = { 0 };
      ParseState state = STATE_FIELD_START;
      gboolean row_started = FALSE;

      g_string_truncate (self->row, 0);
      g_array_set_size (self->offsets, 0);
      g_ptr_array_set_size (self->fields, 0);

      for (;;)
        {
          char c;

          if (self->chunk_pos >= self->chunk_len)
            {
              if (!fill_chunk (self, cancellable, error))
                return CRM_CSV_READ_FAILED;
              if (self->eof)
                break;
            }
          c = (char) self->chunk[self->chunk_pos++];

          if (self->skip_lf)
            {
              self->skip_lf = FALSE;
              if (c == '\n')
                continue;
            }
          if (!row_started)
            {
              row_started = TRUE;
              self->row_number++;
              start_field (self, &rs);
            }

          switch (state)
            {
            case STATE_FIELD_START:
              if (c == '"')
                {
                  state = STATE_QUOTED;
                  rs.any_quoted = TRUE;
                  break;
                }
              state = STATE_UNQUOTED;
              G_GNUC_FALLTHROUGH;
            case STATE_UNQUOTED:
              if (c == delimiter)
                {
                  end_field (self, &rs);
                  start_field (self, &rs);
                  state = STATE_FIELD_START;
                }
              else if (c == '\n' || c == '\r')
                {
                  self->skip_lf = c == '\r';
                  end_field (self, &rs);
                  goto row_done;
                }
              else
                append_byte (self, &rs, c);   /* a stray quote mid-field is kept as text */
              break;
            case STATE_QUOTED:
              if (c == '"')
                state = STATE_QUOTE_IN_QUOTED;
              else
                append_byte (self, &rs, c);
              break;
            case STATE_QUOTE_IN_QUOTED:
              if (c == '"')
                {
                  append_byte (self, &rs, '"');
                  state = STATE_QUOTED;
                }
              else if (c == delimiter)
                {
                  end_field (self, &rs);
                  start_field (self, &rs);
                  state = STATE_FIELD_START;
                }
              else if (c == '\n' || c == '\r')
                {
                  self->skip_lf = c == '\r';
                  end_field (self, &rs);
                  goto row_done;
                }
              else
                {
                  /* "abc"def: lenient, as spreadsheets read it. */
                  append_byte (self, &rs, c);
                  state = STATE_UNQUOTED;
                }
              break;
            default:
              g_assert_not_reached ();
            }
        }

      /* End of file. */
      if (!row_started)
        return CRM_CSV_READ_END;
      if (state == STATE_QUOTED)
        {
          g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_UNTERMINATED_QUOTE,
                       _("Row %" PRIu64 ": a quoted field is not closed before the end of the file, so the row was skipped. Add the missing quote."),
                       self->row_number);
          return CRM_CSV_READ_BAD_ROW;
        }
      end_field (self, &rs);

    row_done:
      /* A blank line is a blank spreadsheet row: counted, not returned. */
      if (rs.n_fields == 1 && !rs.any_quoted && !rs.too_many && rs.long_field == 0 &&
          self->row->len == 1)
        continue;
      return finish_row (self, &rs, error);
    }
}
