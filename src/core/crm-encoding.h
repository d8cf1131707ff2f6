/* crm-encoding.h: guessing the character encoding of a text file from its first bytes */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Charset names as GIConv knows them. */
#define CRM_ENCODING_UTF8         "UTF-8"
#define CRM_ENCODING_UTF16LE      "UTF-16LE"
#define CRM_ENCODING_UTF16BE      "UTF-16BE"
#define CRM_ENCODING_GB18030      "GB18030"
#define CRM_ENCODING_WINDOWS_1252 "WINDOWS-1252"

/* The encoding of @data, the first @length bytes of a file (@at_end: they
 * are the whole file, so a multibyte sequence cut at the end is an error
 * rather than the edge of the sample). @out_bom_length receives the size
 * of a byte order mark to skip (0 when there is none).
 *
 * A BOM decides; then valid UTF-8 wins (it is never an accident for
 * non-ASCII text); then GB18030 and Windows-1252 are told apart by how
 * their high bytes pair up: Chinese text is made of two-byte characters
 * whose second byte is also high, while accented Latin letters stand alone
 * between ASCII letters. */
const char *crm_encoding_detect          (const guint8  *data,
                                          gsize          length,
                                          gboolean       at_end,
                                          gsize         *out_bom_length);

/* Maps what people type (gbk, gb2312, cp936, latin1, utf8, auto…) to the
 * canonical name above, using the superset where one exists (GB18030 for
 * GBK and GB2312, Windows-1252 for ISO-8859-1). Returns NULL for "auto"
 * or NULL, and the name itself (uppercased) when GIConv knows it; FALSE
 * with CRM_IMPORT_ERROR_ENCODING when it does not. */
gboolean    crm_encoding_normalize_name  (const char    *name,
                                          char         **out_name,
                                          GError       **error);

G_END_DECLS
