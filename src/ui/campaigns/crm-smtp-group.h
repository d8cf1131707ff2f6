/* crm-smtp-group.h: the Email group of the preferences: SMTP relay, password in the keyring, test message, daily greetings */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CRM_TYPE_SMTP_GROUP (crm_smtp_group_get_type ())

G_DECLARE_FINAL_TYPE (CrmSmtpGroup, crm_smtp_group, CRM, SMTP_GROUP, AdwPreferencesGroup)

/* The com.example.Crm settings the rows edit; set once. */
void        crm_smtp_group_set_settings  (CrmSmtpGroup *self,
                                          GSettings    *settings);
/* What the test row says: its hint, "Sending…", the result or the error. */
const char *crm_smtp_group_get_status    (CrmSmtpGroup *self);
gboolean    crm_smtp_group_is_busy       (CrmSmtpGroup *self);

G_END_DECLS
