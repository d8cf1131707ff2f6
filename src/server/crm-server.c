/* crm-server.c: SoupServer with the health endpoint; sync routes join in the sync issue */

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "crm-server.h"

struct _CrmServer
{
  GObject     parent_instance;

  SoupServer *soup;
  char       *db_path;
};

G_DEFINE_FINAL_TYPE (CrmServer, crm_server, G_TYPE_OBJECT)

static void
log_request (SoupServerMessage *msg,
             const char        *path,
             guint              status)
{
  g_autofree char *remote = NULL;
  GSocketAddress *addr = soup_server_message_get_remote_address (msg);

  if (G_IS_INET_SOCKET_ADDRESS (addr))
    remote = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (addr)));

  g_message ("request method=%s path=%s status=%u remote=%s",
             soup_server_message_get_method (msg), path, status,
             remote ? remote : "-");
}

static void
handle_healthz (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  static const char body[] = "{\"status\":\"ok\",\"version\":\"" PACKAGE_VERSION "\"}";

  if (g_strcmp0 (soup_server_message_get_method (msg), "GET") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      log_request (msg, path, SOUP_STATUS_METHOD_NOT_ALLOWED);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    body, sizeof body - 1);
  log_request (msg, path, SOUP_STATUS_OK);
}

static void
crm_server_finalize (GObject *object)
{
  CrmServer *self = (CrmServer *)object;

  g_clear_object (&self->soup);
  g_clear_pointer (&self->db_path, g_free);

  G_OBJECT_CLASS (crm_server_parent_class)->finalize (object);
}

static void
crm_server_class_init (CrmServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = crm_server_finalize;
}

static void
crm_server_init (CrmServer *self)
{
  self->soup = soup_server_new ("server-header", "crm-server/" PACKAGE_VERSION, NULL);
  soup_server_add_handler (self->soup, "/healthz", handle_healthz, self, NULL);
}

CrmServer *
crm_server_new (const char *db_path)
{
  CrmServer *self = g_object_new (CRM_TYPE_SERVER, NULL);

  self->db_path = g_strdup (db_path);
  return self;
}

gboolean
crm_server_listen (CrmServer   *self,
                   const char  *address,
                   guint16      port,
                   GError     **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) sockaddr = NULL;

  g_return_val_if_fail (CRM_IS_SERVER (self), FALSE);

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an IP address. Use for example 127.0.0.1 or ::1."), address);
      return FALSE;
    }

  /* Plain HTTP carries tokens in the clear: allow it on loopback only. */
  if (!g_inet_address_get_is_loopback (inet))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Refusing plain HTTP on %s: it is not a loopback address. "
                     "Listen on 127.0.0.1 or give a TLS certificate."), address);
      return FALSE;
    }

  sockaddr = g_inet_socket_address_new (inet, port);
  return soup_server_listen (self->soup, sockaddr, 0, error);
}

guint16
crm_server_get_port (CrmServer *self)
{
  g_autoslist(GUri) uris = NULL;

  g_return_val_if_fail (CRM_IS_SERVER (self), 0);

  uris = soup_server_get_uris (self->soup);
  return uris ? g_uri_get_port (uris->data) : 0;
}

void
crm_server_disconnect (CrmServer *self)
{
  g_return_if_fail (CRM_IS_SERVER (self));

  soup_server_disconnect (self->soup);
}
