/* fuzz-csv-reader.c: any bytes through encoding detection and the CSV reader */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "crm-csv-reader.h"
#include "fuzz-target.h"

/* The first byte picks how the file is opened, so one corpus covers the
 * detected path and each forced encoding. */
static const char * const encodings[] = { NULL, "UTF-8", "GB18030", "UTF-16LE", "WINDOWS-1252" };

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(CrmCsvReader) reader = NULL;
  const char *encoding;
  guint rows = 0;

  if (size < 1)
    return 0;
  encoding = encodings[data[0] % G_N_ELEMENTS (encodings)];
  stream = g_memory_input_stream_new_from_data (data + 1, size - 1, NULL);
  reader = crm_csv_reader_new (stream, encoding, NULL, NULL);
  if (reader == NULL)
    return 0;
  /* Small limits reach the too-long and too-wide paths with small inputs. */
  crm_csv_reader_set_max_field_length (reader, 64 + data[0]);
  crm_csv_reader_set_max_fields (reader, 1 + data[0] % 16);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      CrmCsvReadResult result = crm_csv_reader_read_row (reader, NULL, &error);

      if (result == CRM_CSV_READ_END || result == CRM_CSV_READ_FAILED)
        break;
      if (result == CRM_CSV_READ_BAD_ROW)
        {
          g_assert (error != NULL);
          continue;
        }
      /* Every field a row hands out is valid UTF-8 within the limits. */
      g_assert (crm_csv_reader_get_n_fields (reader) <= 1 + data[0] % 16u);
      for (guint i = 0; i < crm_csv_reader_get_n_fields (reader); i++)
        {
          const char *field = crm_csv_reader_get_field (reader, i);

          g_assert (g_utf8_validate (field, -1, NULL));
          g_assert (strlen (field) <= 64u + data[0]);
        }
      g_assert (crm_csv_reader_get_bytes_read (reader) <= size - 1);
      if (++rows > 100000)
        g_error ("more rows than bytes: the reader does not advance");
    }
  return 0;
}
