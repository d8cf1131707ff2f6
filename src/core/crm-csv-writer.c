/* crm-csv-writer.c: writing RFC 4180 CSV rows (for exports and error reports) */

#include "config.h"

#include <string.h>

#include "crm-csv-writer.h"

static gboolean
needs_quotes (const char *field,
              char        delimiter)
{
  gsize length = strlen (field);

  if (length == 0)
    return FALSE;
  if (field[0] == ' ' || field[length - 1] == ' ')
    return TRUE;
  for (const char *p = field; *p; p++)
    if (*p == delimiter || *p == '"' || *p == '\n' || *p == '\r')
      return TRUE;
  return FALSE;
}

void
crm_csv_append_row (GString            *out,
                    const char * const *fields,
                    guint               n_fields,
                    char                delimiter)
{
  for (guint i = 0; i < n_fields; i++)
    {
      const char *field = fields[i] != NULL ? fields[i] : "";

      if (i > 0)
        g_string_append_c (out, delimiter);
      if (!needs_quotes (field, delimiter))
        {
          g_string_append (out, field);
          continue;
        }
      g_string_append_c (out, '"');
      for (const char *p = field; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  g_string_append (out, "\r\n");
}
