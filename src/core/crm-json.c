/* crm-json.c: JSON text that SQLite's JSON functions and every peer accept
 *
 * json-glib 1.6 writes the control character U+001F into strings as a raw
 * byte, which JSON forbids: SQLite's json_extract() then calls the whole
 * document malformed, and one such character in a contact's notes made
 * every push of that client fail. */

#include "config.h"

#include <string.h>

#include "crm-json.h"

/* @node as compact JSON text, every control character escaped. */
char *
crm_json_to_string (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);
  GString *out;

  /* Compact output has no whitespace between tokens, so a control byte
   * can only be inside a string. */
  if (text == NULL || strpbrk (text, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
                                     "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f") == NULL)
    return g_steal_pointer (&text);
  out = g_string_sized_new (strlen (text) + 16);
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20)
      g_string_append_printf (out, "\\u%04x", (guint) (guchar) *p);
    else
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

/* Appends @text to @out as a JSON string, for JSON written as text. */
void
crm_json_append_string (GString    *out,
                        const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    switch (*p)
      {
      case '"':
        g_string_append (out, "\\\"");
        break;
      case '\\':
        g_string_append (out, "\\\\");
        break;
      case '\n':
        g_string_append (out, "\\n");
        break;
      case '\r':
        g_string_append (out, "\\r");
        break;
      case '\t':
        g_string_append (out, "\\t");
        break;
      default:
        if ((guchar) *p < 0x20)
          g_string_append_printf (out, "\\u%04x", (guint) (guchar) *p);
        else
          g_string_append_c (out, *p);
      }
  g_string_append_c (out, '"');
}
