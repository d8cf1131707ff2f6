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

G_END_DECLS
