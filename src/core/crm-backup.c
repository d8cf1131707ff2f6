/* crm-backup.c: backups of the local database, plain or passphrase-encrypted, kept in rotation */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "crm-backup.h"
#include "crm-backup-cipher.h"
#include "crm-store-error.h"

/* A name for a plain copy beside @path that no one else uses: created
 * empty with 0600 here, so the copy written over it keeps that mode. */
static char *
reserve_plain_copy (const char  *path,
                    GError     **error)
{
  g_autofree char *tmp = g_strconcat (path, ".plain-XXXXXX", NULL);
  int fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
                   _("Could not create a file beside “%s”: %s"), path, g_strerror (saved));
      return NULL;
    }
  close (fd);
  return g_steal_pointer (&tmp);
}

gboolean
crm_backup_write (CrmStore    *store,
                  const char  *dest_path,
                  const char  *passphrase,
                  GError     **error)
{
  g_autofree char *plain = NULL;
  gboolean ok;

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);
  g_return_val_if_fail (dest_path != NULL, FALSE);

  if (passphrase == NULL)
    return crm_store_backup (store, dest_path, error);
  if (*passphrase == '\0')
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_WRONG_PASSPHRASE,
                           _("The passphrase is empty. Choose one, or back up without encryption."));
      return FALSE;
    }

  plain = reserve_plain_copy (dest_path, error);
  if (plain == NULL)
    return FALSE;
  ok = crm_store_backup (store, plain, error) &&
       crm_backup_cipher_encrypt (plain, dest_path, passphrase, error);
  g_unlink (plain);
  return ok;
}

/* Decrypts @source_path beside @db_path when it is encrypted; returns the
 * file to restore from (@source_path itself when it is plain) and, in
 * @out_plain, a file for the caller to remove. */
static const char *
plain_source (const char  *db_path,
              const char  *source_path,
              const char  *passphrase,
              char       **out_plain,
              GError     **error)
{
  *out_plain = NULL;
  if (!crm_backup_cipher_is_encrypted (source_path))
    return source_path;

  *out_plain = reserve_plain_copy (db_path, error);
  if (*out_plain == NULL)
    return NULL;
  if (!crm_backup_cipher_decrypt (source_path, *out_plain, passphrase, error))
    {
      g_unlink (*out_plain);
      g_clear_pointer (out_plain, g_free);
      return NULL;
    }
  return *out_plain;
}

gboolean
crm_backup_restore (CrmStore    *store,
                    const char  *source_path,
                    const char  *passphrase,
                    GError     **error)
{
  g_autofree char *plain = NULL;
  const char *source;
  gboolean ok;

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);
  g_return_val_if_fail (source_path != NULL, FALSE);

  source = plain_source (crm_store_get_path (store), source_path, passphrase, &plain, error);
  if (source == NULL)
    return FALSE;
  ok = crm_store_restore (store, source, error);
  if (plain != NULL)
    g_unlink (plain);
  return ok;
}

gboolean
crm_backup_restore_file (const char  *db_path,
                         const char  *source_path,
                         const char  *passphrase,
                         GError     **error)
{
  g_autofree char *plain = NULL;
  const char *source;
  gboolean ok;

  g_return_val_if_fail (db_path != NULL && source_path != NULL, FALSE);

  source = plain_source (db_path, source_path, passphrase, &plain, error);
  if (source == NULL)
    return FALSE;
  ok = crm_store_restore_file (db_path, source, error);
  if (plain != NULL)
    g_unlink (plain);
  return ok;
}

/* crm-YYYYMMDD-HHMMSS.crmbackup: sorting the names sorts by time. */
static gboolean
is_rotated_name (const char *name)
{
  static const char pattern[] = "crm-dddddddd-dddddd";
  gsize n = strlen (pattern);

  if (strlen (name) != n + strlen (CRM_BACKUP_SUFFIX) || !g_str_has_suffix (name, CRM_BACKUP_SUFFIX))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (pattern[i] == 'd' ? !g_ascii_isdigit (name[i]) : name[i] != pattern[i])
      return FALSE;
  return TRUE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The rotated backups in @dir, oldest first. */
static GPtrArray *
list_rotated (const char *dir)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return names;
  while ((name = g_dir_read_name (d)) != NULL)
    if (is_rotated_name (name))
      g_ptr_array_add (names, g_strdup (name));
  g_dir_close (d);
  g_ptr_array_sort (names, compare_names);
  return names;
}

char *
crm_backup_find_latest (const char *dir)
{
  g_autoptr(GPtrArray) names = NULL;

  g_return_val_if_fail (dir != NULL, NULL);

  names = list_rotated (dir);
  if (names->len == 0)
    return NULL;
  return g_build_filename (dir, g_ptr_array_index (names, names->len - 1), NULL);
}

char *
crm_backup_rotate (CrmStore    *store,
                   const char  *dir,
                   guint        keep,
                   const char  *passphrase,
                   GDateTime   *now,
                   GError     **error)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (dir != NULL && now != NULL, NULL);
  g_return_val_if_fail (keep >= 1, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
                   _("Could not create the backup folder “%s”: %s"), dir, g_strerror (saved));
      return NULL;
    }

  local = g_date_time_to_local (now);
  stamp = g_date_time_format (local, "%Y%m%d-%H%M%S");
  name = g_strconcat ("crm-", stamp, CRM_BACKUP_SUFFIX, NULL);
  path = g_build_filename (dir, name, NULL);
  if (!crm_backup_write (store, path, passphrase, error))
    return NULL;

  names = list_rotated (dir);
  for (guint i = 0; i + keep < names->len; i++)
    {
      g_autofree char *old = g_build_filename (dir, g_ptr_array_index (names, i), NULL);

      /* A backup that cannot be removed stays; the new one was written. */
      if (g_unlink (old) != 0)
        g_warning ("Could not remove the old backup %s: %s", old, g_strerror (errno));
    }
  return g_steal_pointer (&path);
}
