/* crm-smtp-settings.c: the SMTP relay campaigns and greetings go through: address in GSettings, password in the secret service */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <string.h>

#include "crm-secret-file.h"
#include "crm-smtp-settings.h"
#include "crm-uuid.h"

static const char * const security_names[] = { "starttls", "tls", "none" };

const char *
crm_smtp_security_to_string (CrmSmtpSecurity security)
{
  return security_names[MIN ((guint) security, G_N_ELEMENTS (security_names) - 1)];
}

CrmSmtpSecurity
crm_smtp_security_from_string (const char *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (security_names); i++)
    if (g_strcmp0 (text, security_names[i]) == 0)
      return (CrmSmtpSecurity) i;
  return CRM_SMTP_SECURITY_STARTTLS;
}

CrmSmtpSettings *
crm_smtp_settings_load (GSettings *settings)
{
  CrmSmtpSettings *self = g_new0 (CrmSmtpSettings, 1);
  g_autofree char *security = g_settings_get_string (settings, "smtp-security");

  self->host = g_settings_get_string (settings, "smtp-host");
  self->port = g_settings_get_uint (settings, "smtp-port");
  self->security = crm_smtp_security_from_string (security);
  self->user = g_settings_get_string (settings, "smtp-user");
  self->from = g_settings_get_string (settings, "smtp-from");
  return self;
}

void
crm_smtp_settings_save (const CrmSmtpSettings *self,
                        GSettings             *settings)
{
  g_settings_delay (settings);
  g_settings_set_string (settings, "smtp-host", self->host != NULL ? self->host : "");
  g_settings_set_uint (settings, "smtp-port", self->port);
  g_settings_set_string (settings, "smtp-security", crm_smtp_security_to_string (self->security));
  g_settings_set_string (settings, "smtp-user", self->user != NULL ? self->user : "");
  g_settings_set_string (settings, "smtp-from", self->from != NULL ? self->from : "");
  g_settings_apply (settings);
}

void
crm_smtp_settings_free (CrmSmtpSettings *self)
{
  if (self == NULL)
    return;
  g_free (self->host);
  g_free (self->user);
  g_free (self->from);
  if (self->password != NULL)
    {
      explicit_bzero (self->password, strlen (self->password));
      g_free (self->password);
    }
  g_free (self);
}

CrmSmtpSettings *
crm_smtp_settings_copy (const CrmSmtpSettings *self)
{
  CrmSmtpSettings *copy = g_new0 (CrmSmtpSettings, 1);

  copy->host = g_strdup (self->host);
  copy->port = self->port;
  copy->security = self->security;
  copy->user = g_strdup (self->user);
  copy->from = g_strdup (self->from);
  copy->password = g_strdup (self->password);
  return copy;
}

static gboolean
looks_like_address (const char *text)
{
  const char *at = text != NULL ? strchr (text, '@') : NULL;

  return at != NULL && at != text && at[1] != '\0' && strchr (at + 1, '@') == NULL &&
         strpbrk (text, " \t\r\n<>") == NULL;
}

gboolean
crm_smtp_settings_check (const CrmSmtpSettings  *self,
                         GError                **error)
{
  if (self->host == NULL || *self->host == '\0' || strpbrk (self->host, " /:@\t\r\n") != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("No SMTP server is set up. Enter the relay's host name (like smtp.example.com) in Preferences → Email."));
      return FALSE;
    }
  if (self->port == 0 || self->port > 65535)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The SMTP port %u is not a port number. Use 587 for STARTTLS or 465 for TLS."), self->port);
      return FALSE;
    }
  if (!looks_like_address (self->from))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an email address. Enter the address messages come from, like news@example.com."),
                   self->from != NULL ? self->from : "");
      return FALSE;
    }
  return TRUE;
}

char *
crm_smtp_settings_dup_url (const CrmSmtpSettings *self)
{
  return g_strdup_printf ("%s://%s:%u", self->security == CRM_SMTP_SECURITY_TLS ? "smtps" : "smtp",
                          self->host, self->port);
}

void
crm_smtp_settings_apply (const CrmSmtpSettings *self,
                         const char            *url,
                         CrmSmtpConfig         *config)
{
  config->url = url;
  config->starttls = self->security == CRM_SMTP_SECURITY_STARTTLS;
  config->username = self->user != NULL && *self->user != '\0' ? self->user : NULL;
  config->password = config->username != NULL ? self->password : NULL;
  config->from = self->from;
}

/* --- the password ---------------------------------------------------------- */

static const SecretSchema *
password_schema (void)
{
  static const SecretSchema schema = {
    "com.example.Crm.SmtpPassword", SECRET_SCHEMA_NONE,
    {
      { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

static char *
password_file_path (const char *host,
                    const char *user)
{
  g_autofree char *key = g_strjoin ("\n", host, user, NULL);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);

  return g_build_filename (g_get_user_config_dir (), "crm", "smtp", digest, NULL);
}

gboolean
crm_smtp_password_store (const char  *host,
                         const char  *user,
                         const char  *password,
                         GError     **error)
{
  g_autofree char *path = password_file_path (host, user);
  g_autofree char *label = NULL;
  g_autoptr(GError) local_error = NULL;

  if (password == NULL || *password == '\0')
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Cannot remove the SMTP password %s: %s"), path, g_strerror (saved));
          return FALSE;
        }
      secret_password_clear_sync (password_schema (), NULL, &local_error, "host", host, "user", user, NULL);
      if (local_error != NULL && !crm_secret_service_absent (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      return TRUE;
    }

  label = g_strdup_printf (_("CRM email: %s on %s"), user, host);
  if (secret_password_store_sync (password_schema (), SECRET_COLLECTION_DEFAULT, label, password,
                                  NULL, &local_error, "host", host, "user", user, NULL))
    {
      /* A file from a time without a keyring would be found first. */
      g_unlink (path);
      return TRUE;
    }
  if (!crm_secret_service_absent (local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_debug ("No secret service (%s); keeping the SMTP password in %s", local_error->message, path);
  return crm_secret_file_store (path, password, error);
}

char *
crm_smtp_password_lookup (const char  *host,
                          const char  *user,
                          GError     **error)
{
  g_autofree char *path = password_file_path (host, user);
  g_autoptr(GError) local_error = NULL;
  char *contents = NULL;
  char *password;

  if (g_file_get_contents (path, &contents, NULL, NULL))
    return contents;

  password = secret_password_lookup_sync (password_schema (), NULL, &local_error,
                                          "host", host, "user", user, NULL);
  if (password != NULL)
    {
      char *copy = g_strdup (password);

      secret_password_free (password);
      return copy;
    }
  if (local_error != NULL && !crm_secret_service_absent (local_error))
    g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

gboolean
crm_smtp_settings_load_password (CrmSmtpSettings  *self,
                                 GError          **error)
{
  g_autoptr(GError) local_error = NULL;

  if (self->user == NULL || *self->user == '\0' || self->host == NULL)
    return TRUE;
  g_free (self->password);
  self->password = crm_smtp_password_lookup (self->host, self->user, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
crm_smtp_settings_send_test (const CrmSmtpSettings  *self,
                             const char             *to,
                             GError                **error)
{
  g_autofree char *url = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *message_id = NULL;
  CrmSmtpConfig config;

  if (!crm_smtp_settings_check (self, error))
    return FALSE;
  if (!looks_like_address (to))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an email address to send the test message to."), to != NULL ? to : "");
      return FALSE;
    }
  url = crm_smtp_settings_dup_url (self);
  crm_smtp_config_init (&config);
  crm_smtp_settings_apply (self, url, &config);
  uuid = crm_uuid_v7_new ();
  message_id = g_strdup_printf ("test.%s", uuid);
  return crm_smtp_send_message (&config, to, _("CRM test message"),
                                _("This message was sent from CRM to check its email settings. If it reached you, campaigns and greetings can be sent."),
                                message_id, error);
}
