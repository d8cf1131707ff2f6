/* crm-encoding.c: guessing the character encoding of a text file from its first bytes */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crm-encoding.h"
#include "crm-import-error.h"

/* A sample that ends inside a UTF-8 sequence is still valid UTF-8 when
 * what is there is a correct beginning of one. */
static gboolean
is_utf8_prefix (const guint8 *p,
                gsize         n)
{
  gsize need;

  if (n == 0)
    return TRUE;
  if (p[0] >= 0xC2 && p[0] <= 0xDF)
    need = 2;
  else if (p[0] >= 0xE0 && p[0] <= 0xEF)
    need = 3;
  else if (p[0] >= 0xF0 && p[0] <= 0xF4)
    need = 4;
  else
    return FALSE;
  if (n >= need)
    return FALSE;
  for (gsize i = 1; i < n; i++)
    if ((p[i] & 0xC0) != 0x80)
      return FALSE;
  return TRUE;
}

static gboolean
looks_like_utf8 (const guint8 *data,
                 gsize         length,
                 gboolean      at_end)
{
  const char *end = NULL;

  if (g_utf8_validate ((const char *) data, (gssize) length, &end))
    return TRUE;
  if (*end == '\0' && (const guint8 *) end < data + length)
    return FALSE;   /* an embedded NUL: not text in UTF-8 */
  return !at_end && is_utf8_prefix ((const guint8 *) end, length - (gsize) ((const guint8 *) end - data));
}

/* UTF-16 without a BOM: ASCII characters (digits, delimiters, Latin
 * names) leave a zero in every other byte, which no 8-bit text has. */
static const char *
guess_utf16 (const guint8 *data,
             gsize         length)
{
  gsize pairs = MIN (length, 4096) / 2;
  gsize even_zero = 0;
  gsize odd_zero = 0;

  if (pairs < 2)
    return NULL;
  for (gsize i = 0; i < pairs; i++)
    {
      even_zero += data[2 * i] == 0;
      odd_zero += data[2 * i + 1] == 0;
    }
  if (odd_zero * 5 >= pairs && even_zero * 20 < pairs)
    return CRM_ENCODING_UTF16LE;
  if (even_zero * 5 >= pairs && odd_zero * 20 < pairs)
    return CRM_ENCODING_UTF16BE;
  return NULL;
}

const char *
crm_encoding_detect (const guint8 *data,
                     gsize         length,
                     gboolean      at_end,
                     gsize        *out_bom_length)
{
  const char *utf16;
  gsize gb_pairs_high = 0;   /* both bytes ≥ 0xA1: the GB2312 area, i.e. Hanzi */
  gsize gb_pairs_low = 0;    /* second byte ASCII: possible, but rare in Chinese */
  gsize gb_four = 0;
  gsize gb_invalid = 0;

  g_return_val_if_fail (data != NULL || length == 0, CRM_ENCODING_UTF8);

  if (out_bom_length != NULL)
    *out_bom_length = 0;

  if (length >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
    {
      if (out_bom_length != NULL)
        *out_bom_length = 3;
      return CRM_ENCODING_UTF8;
    }
  if (length >= 2 && data[0] == 0xFF && data[1] == 0xFE)
    {
      if (out_bom_length != NULL)
        *out_bom_length = 2;
      return CRM_ENCODING_UTF16LE;
    }
  if (length >= 2 && data[0] == 0xFE && data[1] == 0xFF)
    {
      if (out_bom_length != NULL)
        *out_bom_length = 2;
      return CRM_ENCODING_UTF16BE;
    }
  /* GB18030 has a BOM of its own (U+FEFF encoded), rarely seen. */
  if (length >= 4 && data[0] == 0x84 && data[1] == 0x31 && data[2] == 0x95 && data[3] == 0x33)
    {
      if (out_bom_length != NULL)
        *out_bom_length = 4;
      return CRM_ENCODING_GB18030;
    }

  if ((utf16 = guess_utf16 (data, length)) != NULL)
    return utf16;
  if (looks_like_utf8 (data, length, at_end))
    return CRM_ENCODING_UTF8;

  for (gsize i = 0; i < length;)
    {
      guint8 b = data[i];
      guint8 t;

      if (b < 0x80)
        {
          i++;
          continue;
        }
      if (b == 0x80 || b == 0xFF)
        {
          gb_invalid++;
          i++;
          continue;
        }
      /* A character cut off at the end of the sample (or of a truncated
       * file) says nothing either way. */
      if (i + 1 >= length)
        break;
      t = data[i + 1];
      if (t >= 0x30 && t <= 0x39)
        {
          if (i + 3 >= length)
            break;
          if (data[i + 2] >= 0x81 && data[i + 2] <= 0xFE && data[i + 3] >= 0x30 && data[i + 3] <= 0x39)
            {
              gb_four++;
              i += 4;
            }
          else
            {
              gb_invalid++;
              i++;
            }
        }
      else if ((t >= 0x40 && t <= 0x7E) || (t >= 0x80 && t <= 0xFE))
        {
          if (b >= 0xA1 && t >= 0xA1)
            gb_pairs_high++;
          else
            gb_pairs_low++;
          i += 2;
        }
      else
        {
          gb_invalid++;
          i++;
        }
    }

  /* A stray byte in a long Chinese file is tolerated; in Latin text almost
   * every accented letter is followed by an ASCII one ("Müller" reads as
   * a GBK pair with an ASCII second byte). */
  if (gb_pairs_high + gb_four > 0 &&
      gb_invalid * 20 <= gb_pairs_high + gb_four &&
      gb_pairs_high + gb_four > 2 * gb_pairs_low)
    return CRM_ENCODING_GB18030;

  return CRM_ENCODING_WINDOWS_1252;
}

gboolean
crm_encoding_normalize_name (const char  *name,
                             char       **out_name,
                             GError     **error)
{
  static const struct { const char *alias; const char *canonical; } aliases[] = {
    { "utf8", CRM_ENCODING_UTF8 },
    { "utf16", "UTF-16" },
    { "utf16le", CRM_ENCODING_UTF16LE },
    { "utf16be", CRM_ENCODING_UTF16BE },
    { "gb18030", CRM_ENCODING_GB18030 },
    { "gbk", CRM_ENCODING_GB18030 },
    { "gb2312", CRM_ENCODING_GB18030 },
    { "cp936", CRM_ENCODING_GB18030 },
    { "euccn", CRM_ENCODING_GB18030 },
    { "windows1252", CRM_ENCODING_WINDOWS_1252 },
    { "cp1252", CRM_ENCODING_WINDOWS_1252 },
    { "latin1", CRM_ENCODING_WINDOWS_1252 },
    { "iso88591", CRM_ENCODING_WINDOWS_1252 },
  };
  g_autoptr(GString) key = g_string_new (NULL);
  GIConv conv;

  *out_name = NULL;
  if (name == NULL || g_ascii_strcasecmp (name, "auto") == 0 || *name == '\0')
    return TRUE;

  for (const char *p = name; *p; p++)
    if (*p != '-' && *p != '_' && *p != ' ')
      g_string_append_c (key, g_ascii_tolower (*p));
  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    if (g_str_equal (key->str, aliases[i].alias))
      {
        *out_name = g_strdup (aliases[i].canonical);
        return TRUE;
      }

  conv = g_iconv_open ("UTF-8", name);
  if (conv == (GIConv) -1)
    {
      g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_ENCODING,
                   _("The encoding “%s” is not known. Use auto, utf-8, gb18030 or windows-1252."),
                   name);
      return FALSE;
    }
  g_iconv_close (conv);
  *out_name = g_ascii_strup (name, -1);
  return TRUE;
}
