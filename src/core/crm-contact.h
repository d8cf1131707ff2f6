/* crm-contact.h: a person or organization the business deals with */
#pragma once

#include "crm-record.h"

G_BEGIN_DECLS

#define CRM_TYPE_CONTACT (crm_contact_get_type ())
G_DECLARE_FINAL_TYPE (CrmContact, crm_contact, CRM, CONTACT, CrmRecord)

CrmContact         *crm_contact_new                   (void);

const char         *crm_contact_get_name              (CrmContact  *self);
void                crm_contact_set_name              (CrmContact  *self,
                                                       const char  *name);
const char         *crm_contact_get_kind              (CrmContact  *self);
const char * const *crm_contact_get_emails            (CrmContact  *self);
/* The E.164 numbers, in order (newly allocated). */
GStrv               crm_contact_dup_phone_numbers     (CrmContact  *self);
/* The lifecycle shown to people: the override if set, else the derived one. */
const char         *crm_contact_get_lifecycle         (CrmContact  *self);

/* As crm_record_set_field_from_string(), plus the shorthands people type:
 * `email` and `phone` set the first address or number (keeping the others),
 * `emails` and `phones` take comma-separated lists, and `lifecycle` sets the
 * manual override. */
gboolean            crm_contact_set_field_from_string (CrmContact  *self,
                                                       const char  *field,
                                                       const char  *value,
                                                       GError     **error);

G_END_DECLS
