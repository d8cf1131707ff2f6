/* server-fixture.h: a real crm-server on 127.0.0.1 (free port) in its own thread, on SQLite or PostgreSQL */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "crm-server.h"
#include "crm-sync-protocol.h"
#include "pg-cluster.h"
#include "store-fixture.h"

/* The server has its own thread and main context, so a test can make
 * blocking requests (and run the sync engine) from the main thread. */
typedef struct
{
  char *dir;            /* temp dir: server.db and whatever the test adds */
  char *url;            /* http://127.0.0.1:PORT */
  char *pg_url;         /* NULL: the server stores in SQLite */
  char *db_path;
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GMutex mutex;
  GCond cond;
  gboolean ready;
  CrmServer *server;    /* touched in the server thread only */
  /* Runs in the server thread before it listens (users, keys). */
  void (*prepare) (CrmServer *server, gpointer data);
  gpointer prepare_data;
} ServerFixture;

static inline gpointer
server_fixture_thread (gpointer data)
{
  ServerFixture *f = data;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (f->context);
  if (f->pg_url != NULL)
    {
      CrmServerBackend *backend = crm_server_pg_open (f->pg_url, &error);

      g_assert_no_error (error);
      f->server = crm_server_new_for_backend (backend, &error);
    }
  else
    f->server = crm_server_new (f->db_path, &error);
  g_assert_no_error (error);
  if (f->prepare != NULL)
    f->prepare (f->server, f->prepare_data);
  g_assert_true (crm_server_listen (f->server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);

  g_mutex_lock (&f->mutex);
  f->url = g_strdup_printf ("http://127.0.0.1:%u", crm_server_get_port (f->server));
  f->ready = TRUE;
  g_cond_signal (&f->cond);
  g_mutex_unlock (&f->mutex);

  g_main_loop_run (f->loop);
  crm_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_main_context_pop_thread_default (f->context);
  return NULL;
}

/* Starts the server in a new temp dir; on a new database of @pg_cluster
 * when it is not NULL. @prepare runs in the server thread first. */
static inline void
server_fixture_start (ServerFixture  *f,
                      PgCluster      *pg_cluster,
                      void          (*prepare) (CrmServer *server, gpointer data),
                      gpointer        prepare_data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("crm-server-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->dir, "server.db", NULL);
  if (pg_cluster != NULL)
    f->pg_url = pg_cluster_create_database (pg_cluster);
  f->prepare = prepare;
  f->prepare_data = prepare_data;
  g_mutex_init (&f->mutex);
  g_cond_init (&f->cond);
  f->context = g_main_context_new ();
  f->loop = g_main_loop_new (f->context, FALSE);
  f->thread = g_thread_new ("crm-server", server_fixture_thread, f);
  g_mutex_lock (&f->mutex);
  while (!f->ready)
    g_cond_wait (&f->cond, &f->mutex);
  g_mutex_unlock (&f->mutex);
}

typedef struct
{
  ServerFixture *f;
  void (*func) (CrmServer *server, gpointer data);
  gpointer data;
  gboolean done;
} ServerFixtureCall;

static inline gboolean
server_fixture_call_cb (gpointer data)
{
  ServerFixtureCall *call = data;

  call->func (call->f->server, call->data);
  g_mutex_lock (&call->f->mutex);
  call->done = TRUE;
  g_cond_broadcast (&call->f->cond);
  g_mutex_unlock (&call->f->mutex);
  return G_SOURCE_REMOVE;
}

/* Runs @func in the server thread, between requests, and waits for it. */
static inline void
server_fixture_call (ServerFixture  *f,
                     void          (*func) (CrmServer *server, gpointer data),
                     gpointer        data)
{
  ServerFixtureCall call = { f, func, data, FALSE };

  g_main_context_invoke (f->context, server_fixture_call_cb, &call);
  g_mutex_lock (&f->mutex);
  while (!call.done)
    g_cond_wait (&f->cond, &f->mutex);
  g_mutex_unlock (&f->mutex);
}

static inline gboolean
server_fixture_quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* Stops the server and removes its temp dir. */
static inline void
server_fixture_stop (ServerFixture *f)
{
  g_main_context_invoke (f->context, server_fixture_quit_cb, f->loop);
  g_thread_join (f->thread);
  g_main_loop_unref (f->loop);
  g_main_context_unref (f->context);
  g_mutex_clear (&f->mutex);
  g_cond_clear (&f->cond);
  remove_tree (f->dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->url, g_free);
  g_clear_pointer (&f->pg_url, g_free);
  g_clear_pointer (&f->db_path, g_free);
}

/* A raw request to @base_url + @path (what a well-behaved client never
 * sends, or an admin call): @body (length @length, -1: a string) as JSON,
 * @token as bearer. Returns the status; the answer goes to @out. */
static inline guint
server_fixture_http (const char  *base_url,
                     const char  *method,
                     const char  *path,
                     const char  *token,
                     const char  *body,
                     gssize       length,
                     JsonObject **out)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (base_url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (msg);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, length < 0 ? strlen (body) : (gsize) length);

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  response = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (out != NULL)
    {
      gsize n;
      const char *data = g_bytes_get_data (response, &n);

      *out = crm_sync_parse_object (data, n, NULL);
    }
  return soup_message_get_status (msg);
}
