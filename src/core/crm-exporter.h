/* crm-exporter.h: writing contacts and purchases as CSV (for Excel) or vCard */
#pragma once

#include <gio/gio.h>

#include "crm-store.h"

G_BEGIN_DECLS

typedef enum
{
  CRM_EXPORT_CSV,
  CRM_EXPORT_VCARD_3,
  CRM_EXPORT_VCARD_4,
} CrmExportFormat;

/* Writes every live contact (or those @search finds, as in
 * crm_contact_search()) to @out. CSV is UTF-8 with a BOM, so Excel reads
 * it, or @encoding (e.g. "GB18030" for older Excel on Chinese Windows);
 * its headers are the translated field names, which the importer reads
 * back. @out_count (may be NULL) receives the number of contacts. */
gboolean  crm_export_contacts   (CrmStore         *store,
                                 GOutputStream    *out,
                                 CrmExportFormat   format,
                                 const char       *encoding,
                                 const char       *search,
                                 GCancellable     *cancellable,
                                 guint64          *out_count,
                                 GError          **error);

/* Every live purchase with its contact's name, email, phone and external
 * id, in the columns the purchase importer reads. */
gboolean  crm_export_purchases  (CrmStore         *store,
                                 GOutputStream    *out,
                                 const char       *encoding,
                                 GCancellable     *cancellable,
                                 guint64          *out_count,
                                 GError          **error);

gboolean  crm_export_format_from_string (const char      *text,
                                         CrmExportFormat *out_format);

G_END_DECLS
