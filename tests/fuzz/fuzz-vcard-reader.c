/* fuzz-vcard-reader.c: any bytes through the vCard sniffer and reader */
#include "config.h"

#include <gio/gio.h>

#include "crm-vcard.h"
#include "fuzz-target.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (data, size, NULL);
  g_autoptr(CrmVCardReader) reader = crm_vcard_reader_new (stream);
  guint64 cards = 0;

  crm_vcard_sniff ((const char *) data, size);
  for (;;)
    {
      GPtrArray *values = NULL;   /* the reader's */
      g_autoptr(GError) error = NULL;

      if (!crm_vcard_reader_next (reader, &values, NULL, &error))
        break;
      if (values == NULL)
        continue;
      for (guint i = 0; i < values->len; i++)
        {
          CrmVCardValue *value = g_ptr_array_index (values, i);

          g_assert (value->field != NULL);
          g_assert (g_utf8_validate (value->value, -1, NULL));
        }
      g_assert (crm_vcard_reader_get_card_number (reader) == ++cards);
    }
  return 0;
}
