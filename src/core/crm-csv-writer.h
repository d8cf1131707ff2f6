/* crm-csv-writer.h: writing RFC 4180 CSV rows (for exports and error reports) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Appends one row to @out: fields quoted when they hold the delimiter, a
 * quote, a line break or leading/trailing spaces; CRLF at the end, as
 * RFC 4180 and Excel expect. NULL fields are empty. */
void  crm_csv_append_row  (GString            *out,
                           const char * const *fields,
                           guint               n_fields,
                           char                delimiter);

G_END_DECLS
