/* crm-runtime.c: locale and resource lookup, also when a program runs from the build tree */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>

#include "crm-runtime.h"

/* A program started from the build directory (./run.sh, the tests, the
 * screenshot tool) has no installed translations or schemas yet, so it uses
 * the ones meson built next to it. */
gboolean
crm_runtime_is_uninstalled (void)
{
  static gsize initialized;
  static gboolean uninstalled;

  if (g_once_init_enter (&initialized))
    {
      g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
      g_autofree char *root = g_canonicalize_filename (CRM_BUILD_ROOT, NULL);

      uninstalled = exe != NULL && g_str_has_prefix (exe, root) && exe[strlen (root)] == '/';
      g_once_init_leave (&initialized, 1);
    }

  return uninstalled;
}

void
crm_runtime_init (void)
{
  const char *localedir = LOCALEDIR;

  setlocale (LC_ALL, "");

  if (crm_runtime_is_uninstalled ())
    {
      localedir = CRM_BUILD_ROOT "/po";
      /* Tests set their own schema dir; respect it. */
      if (g_getenv ("GSETTINGS_SCHEMA_DIR") == NULL)
        g_setenv ("GSETTINGS_SCHEMA_DIR", CRM_BUILD_ROOT "/data", TRUE);
    }

  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

gboolean
crm_runtime_is_special_file (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 && !S_ISREG (st.st_mode);
}

gboolean
crm_runtime_reserve_private_file (const char  *path,
                                  GError     **error)
{
  int fd;

  /* /dev/null, /dev/stdout or a pipe: the user's choice, not ours to chmod. */
  if (crm_runtime_is_special_file (path))
    return TRUE;
  fd = g_open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0 || fchmod (fd, 0600) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

gboolean
crm_runtime_write_file (const char  *path,
                        const char  *contents,
                        gssize       length,
                        GError     **error)
{
  gsize len = length < 0 ? strlen (contents) : (gsize) length;
  int fd;

  /* Writing beside and renaming over would replace a device or a pipe
   * (crmctl … -o /dev/null) with a plain file. */
  if (!crm_runtime_is_special_file (path))
    return g_file_set_contents_full (path, contents, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
  fd = g_open (path, O_WRONLY | O_CLOEXEC, 0);
  while (fd >= 0 && len > 0)
    {
      gssize n = write (fd, contents, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      contents += n;
      len -= n;
    }
  if (fd < 0 || len > 0 || close (fd) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0 && len > 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not write “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}
