/* crm-contact-pane.h: one contact beside the list: header, editable fields, timeline, purchases */
#pragma once

#include <adwaita.h>

#include "crm-change-set.h"
#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_CONTACT_PANE (crm_contact_pane_get_type ())
G_DECLARE_FINAL_TYPE (CrmContactPane, crm_contact_pane, CRM, CONTACT_PANE, GtkWidget)

CrmStore   *crm_contact_pane_get_store          (CrmContactPane *self);
void        crm_contact_pane_set_store          (CrmContactPane *self,
                                                 CrmStore       *store);
const char *crm_contact_pane_get_contact_id     (CrmContactPane *self);
void        crm_contact_pane_set_contact_id     (CrmContactPane *self,
                                                 const char     *contact_id);
/* Why the last edit was refused, or NULL. */
const char *crm_contact_pane_get_error_message  (CrmContactPane *self);
GtkWidget  *crm_contact_pane_get_timeline       (CrmContactPane *self);
GtkWidget  *crm_contact_pane_get_purchases      (CrmContactPane *self);
void        crm_contact_pane_focus_name         (CrmContactPane *self);

G_END_DECLS
