/* crm-contact-filter-popover.h: the filter menu of the contacts list: every value with how many contacts it shows */
#pragma once

#include <gtk/gtk.h>

#include "crm-contact-list-model.h"

G_BEGIN_DECLS

#define CRM_TYPE_CONTACT_FILTER_POPOVER (crm_contact_filter_popover_get_type ())
G_DECLARE_FINAL_TYPE (CrmContactFilterPopover, crm_contact_filter_popover, CRM, CONTACT_FILTER_POPOVER, GtkPopover)

CrmContactListModel *crm_contact_filter_popover_get_model (CrmContactFilterPopover *self);
void                 crm_contact_filter_popover_set_model (CrmContactFilterPopover *self,
                                                           CrmContactListModel     *model);
/* Fills the menu with the current counts (done each time it opens); the
 * counts arrive from threads while #CrmContactFilterPopover:counting. */
void                 crm_contact_filter_popover_refresh   (CrmContactFilterPopover *self);
gboolean             crm_contact_filter_popover_get_counting (CrmContactFilterPopover *self);

G_END_DECLS
