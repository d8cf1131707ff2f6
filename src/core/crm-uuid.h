/* crm-uuid.h: time-ordered UUIDv7 ids, created offline without collisions */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *crm_uuid_v7_new      (void);
char     *crm_uuid_v7_new_at   (gint64      unix_ms);
gboolean  crm_uuid_is_valid    (const char *text);
gint64    crm_uuid_v7_get_time (const char *uuid);

G_END_DECLS
