/* crm-backup-cipher.h: passphrase encryption of backup files */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A passphrase-encrypted backup is the SQLite backup file run through
 * libsodium's secretstream (XChaCha20-Poly1305) with a key derived from the
 * passphrase by argon2id. Every 64 KiB chunk is authenticated, so a wrong
 * passphrase, a changed byte and a cut-off file are all told apart from a
 * good file before anything is restored. */

gboolean crm_backup_cipher_is_encrypted (const char  *path);

/* Writes @dest_path (mode 0600, through a temporary file renamed at the end)
 * from the plain file @plain_path. */
gboolean crm_backup_cipher_encrypt      (const char  *plain_path,
                                         const char  *dest_path,
                                         const char  *passphrase,
                                         GError     **error);

/* Writes the plain contents of @encrypted_path to @plain_path (mode 0600).
 * On any error @plain_path is removed: nothing half-decrypted is left. */
gboolean crm_backup_cipher_decrypt      (const char  *encrypted_path,
                                         const char  *plain_path,
                                         const char  *passphrase,
                                         GError     **error);

G_END_DECLS
