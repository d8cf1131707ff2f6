/* crm-smtp-settings.h: the SMTP relay campaigns and greetings go through: address in GSettings, password in the secret service */
#pragma once

#include <gio/gio.h>

#include "crm-campaign-sender.h"

G_BEGIN_DECLS

typedef enum
{
  CRM_SMTP_SECURITY_STARTTLS,  /* smtp://, STARTTLS required (port 587) */
  CRM_SMTP_SECURITY_TLS,       /* smtps://, TLS from the start (port 465) */
  CRM_SMTP_SECURITY_NONE,      /* smtp:// in the clear (a relay on this machine) */
} CrmSmtpSecurity;

typedef struct
{
  char *host;
  guint port;
  CrmSmtpSecurity security;
  char *user;                  /* empty: no AUTH */
  char *from;
  char *password;              /* not in GSettings; filled by crm_smtp_settings_load_password() */
} CrmSmtpSettings;

/* The smtp-* keys of @settings (com.example.Crm). */
CrmSmtpSettings *crm_smtp_settings_load       (GSettings              *settings);
void             crm_smtp_settings_save       (const CrmSmtpSettings  *self,
                                               GSettings              *settings);
void             crm_smtp_settings_free       (CrmSmtpSettings        *self);
CrmSmtpSettings *crm_smtp_settings_copy       (const CrmSmtpSettings  *self);

/* "starttls", "tls", "none" and back (unknown text: STARTTLS). */
const char      *crm_smtp_security_to_string  (CrmSmtpSecurity         security);
CrmSmtpSecurity  crm_smtp_security_from_string (const char            *text);

/* TRUE when host and From are set and the From looks like an address;
 * otherwise the error says what to fill in. */
gboolean         crm_smtp_settings_check      (const CrmSmtpSettings  *self,
                                               GError                **error);
/* smtp://host:port or smtps://host:port. */
char            *crm_smtp_settings_dup_url    (const CrmSmtpSettings  *self);
/* Fills @config (crm_smtp_config_init() first) with pointers into @self
 * and @url: both must outlive it. */
void             crm_smtp_settings_apply      (const CrmSmtpSettings  *self,
                                               const char             *url,
                                               CrmSmtpConfig          *config);

/* Blocking (D-Bus or file I/O): call them from a worker thread. The
 * password belongs to a host and user; without a secret service it is kept
 * in a 0600 file ($XDG_CONFIG_HOME/crm/smtp/<digest>), as sync tokens are.
 * Storing an empty password clears it. */
gboolean         crm_smtp_password_store      (const char             *host,
                                               const char             *user,
                                               const char             *password,
                                               GError                **error);
/* NULL without an error when there is none. */
char            *crm_smtp_password_lookup     (const char             *host,
                                               const char             *user,
                                               GError                **error);
/* Looks up @self's password into self->password. */
gboolean         crm_smtp_settings_load_password (CrmSmtpSettings     *self,
                                                  GError             **error);

/* Sends one message to @to through the relay of @self (blocking). */
gboolean         crm_smtp_settings_send_test  (const CrmSmtpSettings  *self,
                                               const char             *to,
                                               GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSmtpSettings, crm_smtp_settings_free)

G_END_DECLS
