/* crm-server.h: the HTTP server where replicas meet (DESIGN.md §5) */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CRM_TYPE_SERVER (crm_server_get_type ())

G_DECLARE_FINAL_TYPE (CrmServer, crm_server, CRM, SERVER, GObject)

CrmServer *crm_server_new          (const char  *db_path);
gboolean   crm_server_listen       (CrmServer   *self,
                                    const char  *address,
                                    guint16      port,
                                    GError     **error);
guint16    crm_server_get_port     (CrmServer   *self);
void       crm_server_disconnect   (CrmServer   *self);

G_END_DECLS
