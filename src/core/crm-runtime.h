/* crm-runtime.h: process setup shared by crm, crmctl and crm-server (locale, uninstalled runs) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void     crm_runtime_init            (void);
gboolean crm_runtime_is_uninstalled  (void);

G_END_DECLS
