/* crm-date-range-button.h: a calendar button whose popover asks for a period's first and last day */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CRM_TYPE_DATE_RANGE_BUTTON (crm_date_range_button_get_type ())

G_DECLARE_FINAL_TYPE (CrmDateRangeButton, crm_date_range_button, CRM, DATE_RANGE_BUTTON, GtkWidget)

GtkWidget *crm_date_range_button_new        (void);
void       crm_date_range_button_set_range  (CrmDateRangeButton *self,
                                             const GDate        *from,
                                             const GDate        *to);
void       crm_date_range_button_popup      (CrmDateRangeButton *self);
void       crm_date_range_button_popdown    (CrmDateRangeButton *self);
void       crm_date_range_button_show_error (CrmDateRangeButton *self,
                                             const char         *message);

G_END_DECLS
