/* crm-runtime.h: process setup shared by crm, crmctl and crm-server (locale, uninstalled runs) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void     crm_runtime_init            (void);
gboolean crm_runtime_is_uninstalled  (void);
/* Makes @path an existing file that only this user can read (0600),
 * before a library that opens it with fopen() (cairo) writes it: exports
 * hold customer data. */
gboolean crm_runtime_reserve_private_file (const char  *path,
                                           GError     **error);
/* Whether @path exists and is not a regular file (a device, a pipe). */
gboolean crm_runtime_is_special_file (const char *path);
/* Writes an export: a new or regular file atomically and readable by this
 * user only (0600), a device or pipe (/dev/null, /dev/stdout) in place. */
gboolean crm_runtime_write_file      (const char  *path,
                                      const char  *contents,
                                      gssize       length,
                                      GError     **error);

G_END_DECLS
