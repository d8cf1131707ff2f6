/* crm-contact-lookup.h: finding a live contact by email, phone, external id or organization name */
#pragma once

#include "crm-store.h"

G_BEGIN_DECLS

/* Each returns the id of the oldest live contact that matches (newly
 * allocated), or NULL with @error unset when there is none. Emails match
 * case-insensitively; phones by their E.164 form. */
char *crm_contact_lookup_by_email        (CrmStore    *store,
                                          const char  *email,
                                          GError     **error);
char *crm_contact_lookup_by_phone        (CrmStore    *store,
                                          const char  *e164,
                                          GError     **error);
char *crm_contact_lookup_by_external_id  (CrmStore    *store,
                                          const char  *external_id,
                                          GError     **error);
char *crm_contact_lookup_organization    (CrmStore    *store,
                                          const char  *name,
                                          GError     **error);

G_END_DECLS
