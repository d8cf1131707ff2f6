/* crm-backup-cipher.c: passphrase encryption of backup files */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crm-backup-cipher.h"
#include "crm-store-error.h"

/* File layout, all integers little-endian:
 *   "CRM-ENC1"  salt[16]  opslimit u64  memlimit u64     (the preamble)
 *   secretstream header[24]
 *   chunks: length u32, then that many bytes of ciphertext
 * The preamble is the additional data of the first chunk, so changing the
 * stored limits or salt fails like a wrong passphrase would. The last chunk
 * carries the FINAL tag: a file without one was cut off. */
#define MAGIC "CRM-ENC1"
#define MAGIC_LEN 8
#define PREAMBLE_LEN (MAGIC_LEN + crypto_pwhash_SALTBYTES + 8 + 8)
#define CHUNK_SIZE 65536
#define CIPHER_CHUNK_MAX (CHUNK_SIZE + crypto_secretstream_xchacha20poly1305_ABYTES)

G_STATIC_ASSERT (crypto_pwhash_SALTBYTES == 16);

static gboolean
ensure_sodium (GError **error)
{
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
                           _("The encryption library could not start, so the backup was not encrypted or decrypted."));
      return FALSE;
    }
  return TRUE;
}

static void
put_u64 (guint8  *out,
         guint64  value)
{
  for (guint i = 0; i < 8; i++)
    out[i] = (value >> (8 * i)) & 0xff;
}

static guint64
get_u64 (const guint8 *in)
{
  guint64 value = 0;

  for (guint i = 0; i < 8; i++)
    value |= (guint64) in[i] << (8 * i);
  return value;
}

static gboolean
derive_key (guint8        key[crypto_secretstream_xchacha20poly1305_KEYBYTES],
            const char   *passphrase,
            const guint8 *salt,
            guint64       opslimit,
            guint64       memlimit,
            GError      **error)
{
  if (crypto_pwhash (key, crypto_secretstream_xchacha20poly1305_KEYBYTES,
                     passphrase, strlen (passphrase), salt,
                     opslimit, memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
                           _("There is not enough memory to derive the key from the passphrase. Close other programs and try again."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_all (FILE        *out,
           const void  *data,
           gsize        len,
           const char  *path,
           GError     **error)
{
  if (len > 0 && fwrite (data, 1, len, out) != len)
    {
      int saved = errno;

      g_set_error (error, CRM_STORE_ERROR,
                   saved == ENOSPC ? CRM_STORE_ERROR_DISK_FULL : CRM_STORE_ERROR_FAILED,
                   _("Could not write “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Opens a new file beside @path, mode 0600, for writing. */
static FILE *
open_temporary (const char  *path,
                char       **out_tmp_path,
                GError     **error)
{
  g_autofree char *tmp = g_strconcat (path, ".XXXXXX", NULL);
  int fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  FILE *out;

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
                   _("Could not create a file beside “%s”: %s"), path, g_strerror (saved));
      return NULL;
    }
  out = fdopen (fd, "wb");
  if (out == NULL)
    {
      close (fd);
      g_unlink (tmp);
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
                   _("Could not create a file beside “%s”: %s"), path, g_strerror (errno));
      return NULL;
    }
  *out_tmp_path = g_steal_pointer (&tmp);
  return out;
}

/* Flushes, syncs and closes @out, then renames @tmp_path over @path. */
static gboolean
finish_temporary (FILE        *out,
                  const char  *tmp_path,
                  const char  *path,
                  GError     **error)
{
  int failed = fflush (out) != 0 || fsync (fileno (out)) != 0;
  int saved = errno;

  if (fclose (out) != 0 && !failed)
    {
      failed = TRUE;
      saved = errno;
    }
  if (!failed && g_rename (tmp_path, path) != 0)
    {
      failed = TRUE;
      saved = errno;
    }
  if (failed)
    {
      g_unlink (tmp_path);
      g_set_error (error, CRM_STORE_ERROR,
                   saved == ENOSPC ? CRM_STORE_ERROR_DISK_FULL : CRM_STORE_ERROR_FAILED,
                   _("Could not write “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static void
abandon_temporary (FILE       *out,
                   const char *tmp_path)
{
  fclose (out);
  g_unlink (tmp_path);
}

gboolean
crm_backup_cipher_is_encrypted (const char *path)
{
  char magic[MAGIC_LEN];
  FILE *in = g_fopen (path, "rb");
  gboolean encrypted;

  if (in == NULL)
    return FALSE;
  encrypted = fread (magic, 1, MAGIC_LEN, in) == MAGIC_LEN && memcmp (magic, MAGIC, MAGIC_LEN) == 0;
  fclose (in);
  return encrypted;
}

static gboolean
encrypt_stream (FILE        *in,
                gint64       size,
                FILE        *out,
                const char  *dest_path,
                const char  *passphrase,
                GError     **error)
{
  crypto_secretstream_xchacha20poly1305_state state;
  guint8 key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  guint8 preamble[PREAMBLE_LEN];
  guint8 header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  g_autofree guint8 *plain = g_malloc (CHUNK_SIZE);
  g_autofree guint8 *cipher = g_malloc (CIPHER_CHUNK_MAX);
  guint64 opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  guint64 memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  gint64 remaining = size;
  gboolean first = TRUE;

  memcpy (preamble, MAGIC, MAGIC_LEN);
  randombytes_buf (preamble + MAGIC_LEN, crypto_pwhash_SALTBYTES);
  put_u64 (preamble + MAGIC_LEN + crypto_pwhash_SALTBYTES, opslimit);
  put_u64 (preamble + MAGIC_LEN + crypto_pwhash_SALTBYTES + 8, memlimit);

  if (!derive_key (key, passphrase, preamble + MAGIC_LEN, opslimit, memlimit, error))
    return FALSE;
  crypto_secretstream_xchacha20poly1305_init_push (&state, header, key);
  sodium_memzero (key, sizeof key);

  if (!write_all (out, preamble, sizeof preamble, dest_path, error) ||
      !write_all (out, header, sizeof header, dest_path, error))
    return FALSE;

  /* An empty file still gets one (empty) FINAL chunk. */
  do
    {
      gsize n = (gsize) MIN (remaining, CHUNK_SIZE);
      unsigned long long cipher_len = 0;
      guint8 length[4];

      if (n > 0 && fread (plain, 1, n, in) != n)
        {
          g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
                               _("The database copy changed while it was being encrypted. Try again."));
          return FALSE;
        }
      remaining -= (gint64) n;
      crypto_secretstream_xchacha20poly1305_push (&state, cipher, &cipher_len, plain, n,
                                                  first ? preamble : NULL, first ? sizeof preamble : 0,
                                                  remaining == 0 ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
      first = FALSE;
      for (guint i = 0; i < 4; i++)
        length[i] = (cipher_len >> (8 * i)) & 0xff;
      if (!write_all (out, length, sizeof length, dest_path, error) ||
          !write_all (out, cipher, cipher_len, dest_path, error))
        return FALSE;
    }
  while (remaining > 0);

  sodium_memzero (plain, CHUNK_SIZE);
  return TRUE;
}

gboolean
crm_backup_cipher_encrypt (const char  *plain_path,
                           const char  *dest_path,
                           const char  *passphrase,
                           GError     **error)
{
  g_autofree char *tmp_path = NULL;
  FILE *in, *out;
  GStatBuf st;
  gboolean ok;

  g_return_val_if_fail (plain_path != NULL && dest_path != NULL, FALSE);
  g_return_val_if_fail (passphrase != NULL, FALSE);

  if (*passphrase == '\0')
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_WRONG_PASSPHRASE,
                           _("The passphrase is empty. Choose one, or back up without encryption."));
      return FALSE;
    }
  if (!ensure_sodium (error))
    return FALSE;

  in = g_fopen (plain_path, "rb");
  if (in == NULL || fstat (fileno (in), &st) != 0)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
                   _("Could not read “%s”: %s"), plain_path, g_strerror (errno));
      if (in != NULL)
        fclose (in);
      return FALSE;
    }
  out = open_temporary (dest_path, &tmp_path, error);
  if (out == NULL)
    {
      fclose (in);
      return FALSE;
    }

  ok = encrypt_stream (in, st.st_size, out, dest_path, passphrase, error);
  fclose (in);
  if (!ok)
    {
      abandon_temporary (out, tmp_path);
      return FALSE;
    }
  return finish_temporary (out, tmp_path, dest_path, error);
}

static void
set_damaged (GError     **error,
             const char  *path,
             const char  *what)
{
  g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CORRUPT,
               _("The encrypted backup “%s” is damaged (%s), so nothing was restored; the current database is unchanged."),
               path, what);
}

static gboolean
decrypt_stream (FILE        *in,
                FILE        *out,
                const char  *encrypted_path,
                const char  *plain_path,
                const char  *passphrase,
                GError     **error)
{
  crypto_secretstream_xchacha20poly1305_state state;
  guint8 key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  guint8 preamble[PREAMBLE_LEN];
  guint8 header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  g_autofree guint8 *plain = g_malloc (CHUNK_SIZE);
  g_autofree guint8 *cipher = g_malloc (CIPHER_CHUNK_MAX);
  guint64 opslimit, memlimit;
  gboolean first = TRUE;
  guint8 tag = 0;
  int rc;

  if (fread (preamble, 1, sizeof preamble, in) != sizeof preamble ||
      memcmp (preamble, MAGIC, MAGIC_LEN) != 0)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_A_DATABASE,
                   _("“%s” is not an encrypted CRM backup."), encrypted_path);
      return FALSE;
    }
  opslimit = get_u64 (preamble + MAGIC_LEN + crypto_pwhash_SALTBYTES);
  memlimit = get_u64 (preamble + MAGIC_LEN + crypto_pwhash_SALTBYTES + 8);
  /* The limits come from the file: bound them, or a crafted file could ask
   * for terabytes of memory or years of work. */
  if (opslimit < crypto_pwhash_OPSLIMIT_MIN || opslimit > crypto_pwhash_OPSLIMIT_SENSITIVE ||
      memlimit < crypto_pwhash_MEMLIMIT_MIN || memlimit > crypto_pwhash_MEMLIMIT_SENSITIVE)
    {
      set_damaged (error, encrypted_path, _("its key settings are out of range"));
      return FALSE;
    }
  if (fread (header, 1, sizeof header, in) != sizeof header)
    {
      set_damaged (error, encrypted_path, _("it ends inside its header"));
      return FALSE;
    }

  if (!derive_key (key, passphrase, preamble + MAGIC_LEN, opslimit, memlimit, error))
    return FALSE;
  rc = crypto_secretstream_xchacha20poly1305_init_pull (&state, header, key);
  sodium_memzero (key, sizeof key);
  if (rc != 0)
    {
      set_damaged (error, encrypted_path, _("its header is invalid"));
      return FALSE;
    }

  while (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL)
    {
      guint8 length[4];
      guint32 cipher_len = 0;
      unsigned long long plain_len = 0;
      gint64 offset = ftello (in);

      if (fread (length, 1, sizeof length, in) != sizeof length)
        {
          set_damaged (error, encrypted_path, _("it is cut off before its end"));
          return FALSE;
        }
      for (guint i = 0; i < 4; i++)
        cipher_len |= (guint32) length[i] << (8 * i);
      if (cipher_len < crypto_secretstream_xchacha20poly1305_ABYTES || cipher_len > CIPHER_CHUNK_MAX)
        {
          g_autofree char *where = g_strdup_printf (_("a bad block length at byte %" PRId64), (int64_t) offset);

          set_damaged (error, encrypted_path, where);
          return FALSE;
        }
      if (fread (cipher, 1, cipher_len, in) != cipher_len)
        {
          set_damaged (error, encrypted_path, _("it is cut off before its end"));
          return FALSE;
        }
      if (crypto_secretstream_xchacha20poly1305_pull (&state, plain, &plain_len, &tag, cipher, cipher_len,
                                                      first ? preamble : NULL, first ? sizeof preamble : 0) != 0)
        {
          if (first)
            {
              g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_WRONG_PASSPHRASE,
                           _("The passphrase for “%s” is wrong (or the file was changed), so nothing was restored; the current database is unchanged."),
                           encrypted_path);
            }
          else
            {
              g_autofree char *where = g_strdup_printf (_("the block at byte %" PRId64 " does not check out"), (int64_t) offset);

              set_damaged (error, encrypted_path, where);
            }
          return FALSE;
        }
      first = FALSE;
      if (!write_all (out, plain, (gsize) plain_len, plain_path, error))
        return FALSE;
    }

  if (fgetc (in) != EOF)
    {
      set_damaged (error, encrypted_path, _("it has data after its end"));
      return FALSE;
    }
  sodium_memzero (plain, CHUNK_SIZE);
  return TRUE;
}

gboolean
crm_backup_cipher_decrypt (const char  *encrypted_path,
                           const char  *plain_path,
                           const char  *passphrase,
                           GError     **error)
{
  g_autofree char *tmp_path = NULL;
  FILE *in, *out;
  gboolean ok;

  g_return_val_if_fail (encrypted_path != NULL && plain_path != NULL, FALSE);

  if (passphrase == NULL || *passphrase == '\0')
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_WRONG_PASSPHRASE,
                   _("“%s” is encrypted: give its passphrase."), encrypted_path);
      return FALSE;
    }
  if (!ensure_sodium (error))
    return FALSE;

  in = g_fopen (encrypted_path, "rb");
  if (in == NULL)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
                   _("Could not read “%s”: %s"), encrypted_path, g_strerror (errno));
      return FALSE;
    }
  out = open_temporary (plain_path, &tmp_path, error);
  if (out == NULL)
    {
      fclose (in);
      return FALSE;
    }

  ok = decrypt_stream (in, out, encrypted_path, plain_path, passphrase, error);
  fclose (in);
  if (!ok)
    {
      abandon_temporary (out, tmp_path);
      return FALSE;
    }
  return finish_temporary (out, tmp_path, plain_path, error);
}
