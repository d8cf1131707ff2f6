/* fuzz-encoding.c: encoding detection and encoding names people type */
#include "config.h"

#include <glib.h>

#include "crm-encoding.h"
#include "fuzz-target.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;
  const char *detected;
  gsize bom = 0;

  detected = crm_encoding_detect (data, size, size % 2 == 0, &bom);
  g_assert (detected != NULL);
  g_assert (bom <= size && bom <= 4);

  /* What was detected must be something GIConv can open. */
  {
    GIConv conv = g_iconv_open ("UTF-8", detected);

    g_assert (conv != (GIConv) -1);
    g_iconv_close (conv);
  }

  /* A NULL name on success means "detect it" (auto, or nothing given). */
  if (crm_encoding_normalize_name (text, &name, &error))
    g_assert (error == NULL);
  else
    g_assert (name == NULL && error != NULL);
  return 0;
}
