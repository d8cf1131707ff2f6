/* test-sync-controller.c: when syncs run (start, edits, on demand, backoff, network) against a real crm-server on 127.0.0.1 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "crm-contact.h"
#include "crm-server.h"
#include "crm-store-private.h"
#include "crm-sync-controller.h"
#include "crm-sync-engine.h"
#include "store-fixture.h"

#define PASSWORD "correct horse battery"

/* A network monitor the test switches on and off: the system's cannot be
 * unplugged from a test. */
#define TEST_TYPE_MONITOR (test_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TestMonitor, test_monitor, TEST, MONITOR, GObject)

struct _TestMonitor
{
  GObject parent_instance;
  gboolean available;
};

static void test_monitor_iface_init (GNetworkMonitorInterface *iface);
static void test_monitor_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestMonitor, test_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, test_monitor_initable_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, test_monitor_iface_init))

static gboolean
test_monitor_initable_init_impl (GInitable     *initable,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  return TRUE;
}

static void
test_monitor_initable_init (GInitableIface *iface)
{
  iface->init = test_monitor_initable_init_impl;
}

enum { MON_PROP_0, MON_PROP_AVAILABLE, MON_PROP_METERED, MON_PROP_CONNECTIVITY };

static void
test_monitor_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TestMonitor *self = TEST_MONITOR (object);

  switch (prop_id)
    {
    case MON_PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case MON_PROP_METERED:
      g_value_set_boolean (value, FALSE);
      break;
    case MON_PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_monitor_class_init (TestMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_monitor_get_property;
  g_object_class_override_property (object_class, MON_PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, MON_PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, MON_PROP_CONNECTIVITY, "connectivity");
}

static void
test_monitor_iface_init (GNetworkMonitorInterface *iface)
{
}

static void
test_monitor_init (TestMonitor *self)
{
  self->available = TRUE;
}

static void
test_monitor_set_available (TestMonitor *self,
                            gboolean     available)
{
  self->available = available;
  g_object_notify (G_OBJECT (self), "network-available");
  g_signal_emit_by_name (self, "network-changed", available);
}

typedef struct
{
  char *dir;
  char *url;
  guint16 port;
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GMutex mutex;
  GCond cond;
  gboolean ready;
  CrmServer *server;
  CrmStore *a;
  CrmStore *b;
} Fixture;

static gpointer
server_thread (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "server.db", NULL);
  g_autoptr(CrmServer) server = NULL;

  g_main_context_push_thread_default (f->context);
  server = crm_server_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (crm_server_add_user (server, "alice", PASSWORD, "admin", NULL, &error));
  g_assert_true (crm_server_listen (server, "127.0.0.1", f->port, &error));
  g_assert_no_error (error);

  g_mutex_lock (&f->mutex);
  g_free (f->url);
  f->url = g_strdup_printf ("http://127.0.0.1:%u", crm_server_get_port (server));
  f->server = server;
  f->ready = TRUE;
  g_cond_signal (&f->cond);
  g_mutex_unlock (&f->mutex);

  g_main_loop_run (f->loop);
  crm_server_disconnect (server);
  g_clear_object (&server);
  g_main_context_pop_thread_default (f->context);
  return NULL;
}

static void
start_server (Fixture *f)
{
  f->context = g_main_context_new ();
  f->loop = g_main_loop_new (f->context, FALSE);
  f->thread = g_thread_new ("crm-server", server_thread, f);
  g_mutex_lock (&f->mutex);
  while (!f->ready)
    g_cond_wait (&f->cond, &f->mutex);
  g_mutex_unlock (&f->mutex);
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  f->dir = g_dir_make_tmp ("crm-sync-controller-XXXXXX", &error);
  g_assert_no_error (error);
  g_mutex_init (&f->mutex);
  g_cond_init (&f->cond);
  /* The backoff test starts the server late, on a port known before. */
  f->port = free_port ();
  if (data == NULL)
    start_server (f);
  else
    f->url = g_strdup_printf ("http://127.0.0.1:%u", f->port);

  a = g_build_filename (f->dir, "a.db", NULL);
  b = g_build_filename (f->dir, "b.db", NULL);
  f->a = crm_store_open (a, &error);
  g_assert_no_error (error);
  f->b = crm_store_open (b, &error);
  g_assert_no_error (error);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->a);
  g_clear_object (&f->b);
  if (f->thread != NULL)
    {
      g_main_context_invoke (f->context, quit_loop, f->loop);
      g_thread_join (f->thread);
      g_main_loop_unref (f->loop);
      g_main_context_unref (f->context);
    }
  g_mutex_clear (&f->mutex);
  g_cond_clear (&f->cond);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->url);
}

static char *
sign_in (Fixture  *f,
         CrmStore *store)
{
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (store, f->url);
  g_autoptr(GError) error = NULL;

  crm_sync_engine_set_credentials (engine, "alice", PASSWORD);
  g_assert_true (crm_sync_engine_sign_in (engine, NULL, &error));
  g_assert_no_error (error);
  return g_strdup (crm_sync_engine_get_token (engine));
}

static void
sync_plain (Fixture  *f,
            CrmStore *store)
{
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (store, f->url);
  g_autoptr(GError) error = NULL;

  crm_sync_engine_set_credentials (engine, "alice", PASSWORD);
  g_assert_true (crm_sync_engine_run (engine, NULL, NULL, &error));
  g_assert_no_error (error);
}

static gint64
count (CrmStore   *store,
       const char *sql)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, NULL);

  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static char *
add_contact (CrmStore   *store,
             const char *name)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_contact_set_field_from_string (contact, "name", name, &error));
  g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

/* Runs the main loop until @controller is idle in @state (20 s at most). */
static void
wait_for_state (CrmSyncController *controller,
                CrmSyncState       state)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (crm_sync_controller_is_running (controller) ||
         crm_sync_controller_get_state (controller) != state)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("sync state %d, running %d; waited for %d (%s)",
                 crm_sync_controller_get_state (controller),
                 crm_sync_controller_is_running (controller), state,
                 crm_sync_controller_get_error_message (controller));
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
wait_until_stopped (CrmSyncController *controller)
{
  while (crm_sync_controller_is_running (controller))
    g_main_context_iteration (NULL, TRUE);
}

static void
test_backoff_delay (void)
{
  /* Doubling from the base, capped, with jitter between ½ and 1. */
  g_assert_cmpuint (crm_sync_backoff_delay (1, 1000, 60000, 1.0), ==, 1000);
  g_assert_cmpuint (crm_sync_backoff_delay (1, 1000, 60000, 0.0), ==, 500);
  g_assert_cmpuint (crm_sync_backoff_delay (2, 1000, 60000, 1.0), ==, 2000);
  g_assert_cmpuint (crm_sync_backoff_delay (4, 1000, 60000, 1.0), ==, 8000);
  g_assert_cmpuint (crm_sync_backoff_delay (30, 1000, 60000, 1.0), ==, 60000);
  g_assert_cmpuint (crm_sync_backoff_delay (1000, 1000, 60000, 0.5), ==, 45000);
  for (guint i = 0; i < 100; i++)
    {
      guint d = crm_sync_backoff_delay (3, 1000, 60000, g_random_double ());

      g_assert_cmpuint (d, >=, 2000);
      g_assert_cmpuint (d, <=, 4000);
    }
}

static guint changed_contacts;

static void
on_contacts_changed (CrmStore   *store,
                     const char *table,
                     const char *id,
                     gpointer    data)
{
  changed_contacts++;
}

static void
test_start_edit_and_remote (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *token = sign_in (f, f->a);
  g_autoptr(CrmSyncController) controller = crm_sync_controller_new (f->a);
  g_autofree char *mine = NULL;
  g_autofree char *theirs = NULL;

  crm_sync_controller_set_debounce (controller, 20);
  g_assert_cmpint (crm_sync_controller_get_state (controller), ==, CRM_SYNC_STATE_NOT_SET_UP);
  g_assert_cmpint (crm_sync_controller_get_last_synced (controller), ==, 0);

  /* Sync on start. */
  crm_sync_controller_set_account (controller, f->url, "alice", token);
  g_assert_true (crm_sync_controller_is_running (controller));
  wait_for_state (controller, CRM_SYNC_STATE_UP_TO_DATE);
  g_assert_cmpint (crm_sync_controller_get_last_synced (controller), >, 0);
  /* Without an interval nothing else is planned. */
  g_assert_cmpuint (crm_sync_controller_get_next_delay (controller), ==, 0);

  /* A local edit goes out by itself once the edits pause. */
  mine = add_contact (f->a, "本地");
  g_assert_false (crm_sync_controller_is_running (controller));
  while (!crm_sync_controller_is_running (controller))
    g_main_context_iteration (NULL, TRUE);
  wait_for_state (controller, CRM_SYNC_STATE_UP_TO_DATE);
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM outbox"), ==, 0);
  sync_plain (f, f->b);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM contacts"), ==, 1);

  /* A remote change reaches the app's store as `changed`, so open lists
   * refresh, and does not start another sync. */
  theirs = add_contact (f->b, "远程");
  sync_plain (f, f->b);
  changed_contacts = 0;
  g_signal_connect (f->a, "changed::contacts", G_CALLBACK (on_contacts_changed), NULL);
  crm_sync_controller_sync_now (controller);
  wait_for_state (controller, CRM_SYNC_STATE_UP_TO_DATE);
  g_assert_cmpuint (changed_contacts, >, 0);
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM contacts"), ==, 2);
  for (guint i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
  g_usleep (50 * 1000);
  g_main_context_iteration (NULL, FALSE);
  g_assert_false (crm_sync_controller_is_running (controller));
  g_signal_handlers_disconnect_by_func (f->a, on_contacts_changed, NULL);

  /* A timer when an interval is set. */
  crm_sync_controller_set_interval (controller, 600);
  g_assert_cmpuint (crm_sync_controller_get_next_delay (controller), >, 590 * 1000);
  crm_sync_controller_shutdown (controller);
  g_assert_cmpuint (crm_sync_controller_get_next_delay (controller), ==, 0);
}

static void
test_progress (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *token = sign_in (f, f->a);
  g_autoptr(CrmSyncController) controller = crm_sync_controller_new (f->a);
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_store_begin (f->b, &error));
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *name = g_strdup_printf ("客户%03u", i);
      g_autofree char *id = add_contact (f->b, name);
    }
  g_assert_true (crm_store_commit (f->b, &error));
  sync_plain (f, f->b);

  crm_sync_controller_set_account (controller, f->url, "alice", token);
  wait_for_state (controller, CRM_SYNC_STATE_UP_TO_DATE);
  /* The last report: all of what there was. */
  g_assert_cmpuint (crm_sync_controller_get_progress_done (controller), ==, 300);
  g_assert_cmpuint (crm_sync_controller_get_progress_total (controller), ==, 300);
}

static gboolean
start_server_later (gpointer data)
{
  start_server (data);
  return G_SOURCE_REMOVE;
}

static void
test_backoff_until_server_is_back (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(CrmSyncController) controller = crm_sync_controller_new (f->a);
  g_autofree char *id = add_contact (f->a, "等待");
  g_autofree char *token = NULL;
  guint first_delay;

  /* No server yet: an error with the reason, and a retry planned. */
  crm_sync_controller_set_backoff (controller, 200, 400);
  crm_sync_controller_set_account (controller, f->url, "alice", "0000");
  wait_for_state (controller, CRM_SYNC_STATE_ERROR);
  g_assert_nonnull (strstr (crm_sync_controller_get_error_message (controller), "127.0.0.1"));
  first_delay = crm_sync_controller_get_next_delay (controller);
  g_assert_cmpuint (first_delay, >, 0);
  g_assert_cmpuint (first_delay, <=, 200);
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM outbox"), ==, 1);

  /* It tries again by itself, later each time. */
  while (!crm_sync_controller_is_running (controller))
    g_main_context_iteration (NULL, TRUE);
  wait_for_state (controller, CRM_SYNC_STATE_ERROR);
  g_assert_cmpuint (crm_sync_controller_get_next_delay (controller), >=, 1);
  g_assert_cmpuint (crm_sync_controller_get_next_delay (controller), <=, 400);

  /* The server comes up; a retry finds it, and the old token is refused:
   * the user is asked to sign in, and the edit waits in the outbox. */
  g_idle_add (start_server_later, f);
  wait_for_state (controller, CRM_SYNC_STATE_SIGN_IN_REQUIRED);
  g_assert_cmpuint (crm_sync_controller_get_next_delay (controller), ==, 0);
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM outbox"), ==, 1);

  token = sign_in (f, f->a);
  crm_sync_controller_set_account (controller, f->url, "alice", token);
  wait_for_state (controller, CRM_SYNC_STATE_UP_TO_DATE);
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM outbox"), ==, 0);
}

static void
test_network_monitor (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CrmSyncController) controller = crm_sync_controller_new (f->a);
  g_autoptr(TestMonitor) monitor = g_object_new (TEST_TYPE_MONITOR, NULL);
  g_autofree char *token = NULL;

  /* A server elsewhere (TEST-NET-1, never answered) with the network down:
   * no attempt at all. */
  monitor->available = FALSE;
  crm_sync_controller_set_network_monitor (controller, G_NETWORK_MONITOR (monitor));
  crm_sync_controller_set_account (controller, "http://192.0.2.1:9", "alice", "token");
  g_assert_false (crm_sync_controller_is_running (controller));
  g_assert_cmpint (crm_sync_controller_get_state (controller), ==, CRM_SYNC_STATE_OFFLINE);
  crm_sync_controller_sync_now (controller);
  g_assert_false (crm_sync_controller_is_running (controller));

  /* The network is back: it syncs at once. */
  test_monitor_set_available (monitor, TRUE);
  g_assert_true (crm_sync_controller_is_running (controller));
  g_assert_cmpint (crm_sync_controller_get_state (controller), ==, CRM_SYNC_STATE_SYNCING);
  crm_sync_controller_shutdown (controller);
  wait_until_stopped (controller);

  /* A server on this machine needs no network. */
  token = sign_in (f, f->a);
  crm_sync_controller_set_account (controller, f->url, "alice", token);
  test_monitor_set_available (monitor, FALSE);
  wait_for_state (controller, CRM_SYNC_STATE_UP_TO_DATE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync-controller/backoff-delay", test_backoff_delay);
#define ADD(path, data, func) g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("/sync-controller/start-edit-and-remote", NULL, test_start_edit_and_remote);
  ADD ("/sync-controller/progress", NULL, test_progress);
  ADD ("/sync-controller/backoff-until-server-is-back", "late", test_backoff_until_server_is_back);
  ADD ("/sync-controller/network-monitor", NULL, test_network_monitor);
#undef ADD

  return g_test_run ();
}
