/* crm-secret-file.c: secrets kept in 0600 files when no secret service answers (sign-in tokens, the SMTP password) */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <string.h>
#include <unistd.h>

#include "crm-secret-file.h"

gboolean
crm_secret_service_absent (const GError *error)
{
  return error->domain == G_DBUS_ERROR || error->domain == G_IO_ERROR ||
         g_error_matches (error, SECRET_ERROR, SECRET_ERROR_PROTOCOL);
}

gboolean
crm_secret_file_store (const char  *path,
                       const char  *secret,
                       GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
  gsize len = strlen (secret);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create the folder %s for saved passwords: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  fd = g_open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || write (fd, secret, len) != (gssize) len || fsync (fd) != 0 || close (fd) != 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_unlink (tmp);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot save a password in %s: %s"), tmp, g_strerror (saved));
      return FALSE;
    }
  if (g_rename (tmp, path) != 0)
    {
      int saved = errno;

      g_unlink (tmp);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot save a password in %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}
