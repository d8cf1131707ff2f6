/* crm-user-directory.h: the people contacts and tasks can be assigned to */
#pragma once

#include <glib.h>

#include "crm-store.h"

G_BEGIN_DECLS

typedef struct
{
  char *id;
  char *name;   /* display name, else user name */
} CrmUserEntry;

/* Active users by name (newly allocated CrmUserEntry). */
GPtrArray *crm_user_directory_list (CrmStore  *store,
                                    GError   **error);

G_END_DECLS
