/* crm-vcard.h: reading vCard 2.1, 3.0 and 4.0 into contact fields, and writing 3.0 and 4.0 */
#pragma once

#include <gio/gio.h>

#include "crm-contact.h"

G_BEGIN_DECLS

typedef enum
{
  CRM_VCARD_VERSION_3_0,
  CRM_VCARD_VERSION_4_0,
} CrmVCardVersion;

/* One value of a card, named by the import field it goes to (the fields
 * of crm-import-mapping.h), with the property it came from. */
typedef struct
{
  const char *field;     /* static */
  char *property;        /* TEL, EMAIL, … */
  char *value;
} CrmVCardValue;

#define CRM_TYPE_VCARD_READER (crm_vcard_reader_get_type ())
G_DECLARE_FINAL_TYPE (CrmVCardReader, crm_vcard_reader, CRM, VCARD_READER, GObject)

CrmVCardReader *crm_vcard_reader_new             (GInputStream    *stream);
/* Reads the next card into @out_values (CrmVCardValue *, owned by the
 * reader until the next call). Returns FALSE at the end (error unset) or
 * on a broken file. Folded lines, quoted-printable soft breaks, CHARSET=
 * parameters and escapes are undone; photos and other binary data are
 * skipped without being decoded or held in memory. */
gboolean        crm_vcard_reader_next            (CrmVCardReader  *self,
                                                  GPtrArray      **out_values,
                                                  GCancellable    *cancellable,
                                                  GError         **error);
/* The number of the card just read, from 1. */
guint64         crm_vcard_reader_get_card_number (CrmVCardReader  *self);

/* Appends @contact as one card. @organization_name: the name of the
 * contact's organization, if it has one. */
void            crm_vcard_append_contact         (GString         *out,
                                                  CrmContact      *contact,
                                                  const char      *organization_name,
                                                  CrmVCardVersion  version);

/* TRUE when @data (the start of a file) looks like a vCard. */
gboolean        crm_vcard_sniff                  (const char      *data,
                                                  gsize            length);

G_END_DECLS
