/* crm-contacts-page.h: the Contacts workspace: searchable, filterable list of contacts beside one contact */
#pragma once

#include <adwaita.h>

#include "crm-contact-list-model.h"
#include "crm-context.h"

G_BEGIN_DECLS

#define CRM_TYPE_CONTACTS_PAGE (crm_contacts_page_get_type ())
G_DECLARE_FINAL_TYPE (CrmContactsPage, crm_contacts_page, CRM, CONTACTS_PAGE, GtkWidget)

CrmContext          *crm_contacts_page_get_context   (CrmContactsPage *self);
/* Set once, after construction, by the window that owns the context. */
void                 crm_contacts_page_set_context   (CrmContactsPage *self,
                                                      CrmContext      *context);
CrmContactListModel *crm_contacts_page_get_model     (CrmContactsPage *self);
GtkSelectionModel   *crm_contacts_page_get_selection (CrmContactsPage *self);
GtkWidget           *crm_contacts_page_get_pane      (CrmContactsPage *self);
/* "list", "empty" or "no-matches". */
const char          *crm_contacts_page_get_list_state (CrmContactsPage *self);
gboolean             crm_contacts_page_get_busy       (CrmContactsPage *self);
void                 crm_contacts_page_set_background_rows (CrmContactsPage *self,
                                                            guint            rows);

/* Announces tasks due since the last check up to @now (ISO 8601 UTC);
 * runs every 30 seconds by itself. Returns how many came due. */
guint                crm_contacts_page_check_due_tasks (CrmContactsPage *self,
                                                        const char      *now);

G_END_DECLS
