/* crm-reminders-view.h: my tasks (overdue, today, upcoming) and the birthdays of the next 30 days */
#pragma once

#include <adwaita.h>

#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_REMINDERS_VIEW (crm_reminders_view_get_type ())
G_DECLARE_FINAL_TYPE (CrmRemindersView, crm_reminders_view, CRM, REMINDERS_VIEW, GtkWidget)

void  crm_reminders_view_set_store (CrmRemindersView *self,
                                    CrmStore         *store);
/* Rows under "overdue", "today", "upcoming" or "birthdays". */
guint crm_reminders_view_count     (CrmRemindersView *self,
                                    const char       *group);
/* Reads the tasks and birthdays again (done on idle after store changes). */
void  crm_reminders_view_reload    (CrmRemindersView *self);

G_END_DECLS
