/* crm-secret-file.h: secrets kept in 0600 files when no secret service answers (sign-in tokens, the SMTP password) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether @error from libsecret means nobody answers (no keyring on the
 * session bus), when the file is the place; a locked keyring the user
 * refused to open is an answer, and stays an error. */
gboolean crm_secret_service_absent (const GError  *error);

/* Writes @secret to @path, created 0600 (never readable by others even
 * for a moment) in a 0700 folder, replaced atomically. */
gboolean crm_secret_file_store     (const char    *path,
                                    const char    *secret,
                                    GError       **error);

G_END_DECLS
