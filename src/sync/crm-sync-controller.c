/* crm-sync-controller.c: when to sync (start, timer, after edits, on demand, network back) and what state sync is in */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "crm-store-private.h"
#include "crm-sync-controller.h"
#include "crm-sync-engine.h"

#define DEFAULT_DEBOUNCE_MS 2000
#define DEFAULT_BACKOFF_BASE_MS 5000
#define DEFAULT_BACKOFF_MAX_MS (15 * 60 * 1000)

G_DEFINE_ENUM_TYPE (CrmSyncState, crm_sync_state,
                    G_DEFINE_ENUM_VALUE (CRM_SYNC_STATE_NOT_SET_UP, "not-set-up"),
                    G_DEFINE_ENUM_VALUE (CRM_SYNC_STATE_OFFLINE, "offline"),
                    G_DEFINE_ENUM_VALUE (CRM_SYNC_STATE_SYNCING, "syncing"),
                    G_DEFINE_ENUM_VALUE (CRM_SYNC_STATE_UP_TO_DATE, "up-to-date"),
                    G_DEFINE_ENUM_VALUE (CRM_SYNC_STATE_ERROR, "error"),
                    G_DEFINE_ENUM_VALUE (CRM_SYNC_STATE_SIGN_IN_REQUIRED, "sign-in-required"))

struct _CrmSyncController
{
  GObject parent_instance;

  CrmStore *store;            /* the app's; main thread only */
  CrmStore *worker_store;     /* the sync thread's connection to the same file */
  CrmSyncEngine *engine;
  GNetworkMonitor *monitor;
  GMainContext *context;

  char *server_url;
  char *user;
  char *token;
  gboolean server_is_loopback;

  CrmSyncState state;
  guint progress_done;
  guint progress_total;
  gint64 last_synced;
  char *error_message;
  guint conflicts;
  guint interval;

  GCancellable *cancellable;  /* non-NULL while a sync runs */
  gboolean again;             /* sync once more when the running one ends */
  guint attempts;             /* failures in a row, for the backoff */
  guint timer_id;
  gint64 timer_due;           /* monotonic µs */
  guint debounce_id;
  guint debounce_ms;
  guint backoff_base_ms;
  guint backoff_max_ms;
  gboolean forwarding;        /* emitting what the sync brought in */

  /* Filled by the sync thread, emptied on the main thread. */
  GMutex lock;
  GHashTable *changed_tables;
  gboolean changed_everything;
  guint pending_done;
  guint pending_total;
  gboolean flush_queued;
};

G_DEFINE_FINAL_TYPE (CrmSyncController, crm_sync_controller, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_PROGRESS_DONE,
  PROP_PROGRESS_TOTAL,
  PROP_LAST_SYNCED,
  PROP_ERROR_MESSAGE,
  PROP_CONFLICTS,
  PROP_INTERVAL,
  PROP_SERVER_URL,
  PROP_USER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void start_run (CrmSyncController *self);

guint
crm_sync_backoff_delay (guint  attempt,
                        guint  base_ms,
                        guint  max_ms,
                        double random)
{
  double delay = base_ms;

  for (guint i = 1; i < attempt && delay < max_ms; i++)
    delay *= 2;
  delay = MIN (delay, (double) max_ms);
  return (guint) (delay * (0.5 + 0.5 * CLAMP (random, 0.0, 1.0)));
}

static void
set_state (CrmSyncController *self,
           CrmSyncState       state,
           const char        *error_message)
{
  if (g_strcmp0 (self->error_message, error_message) != 0)
    {
      g_free (self->error_message);
      self->error_message = g_strdup (error_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
set_progress (CrmSyncController *self,
              guint              done,
              guint              total)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->progress_done != done)
    {
      self->progress_done = done;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS_DONE]);
    }
  if (self->progress_total != total)
    {
      self->progress_total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS_TOTAL]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
update_conflicts (CrmSyncController *self)
{
  guint n = crm_sync_count_conflicts (self->store);

  if (n != self->conflicts)
    {
      self->conflicts = n;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFLICTS]);
    }
}

static void
clear_timer (CrmSyncController *self)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->timer_due = 0;
}

static gboolean
on_timer (gpointer data)
{
  CrmSyncController *self = data;

  self->timer_id = 0;
  self->timer_due = 0;
  start_run (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (CrmSyncController *self,
          guint              delay_ms)
{
  clear_timer (self);
  self->timer_due = g_get_monotonic_time () + (gint64) delay_ms * 1000;
  self->timer_id = g_timeout_add_full (G_PRIORITY_DEFAULT, delay_ms, on_timer, self, NULL);
  g_source_set_name_by_id (self->timer_id, "[crm] sync timer");
}

static gboolean
network_reachable (CrmSyncController *self)
{
  /* A server on this machine needs no network. */
  return self->server_is_loopback || g_network_monitor_get_network_available (self->monitor);
}

/* --- what the sync thread reports ------------------------------------------ */

static gboolean
flush_pending (gpointer data)
{
  CrmSyncController *self = data;
  g_autoptr(GHashTable) tables = NULL;
  gboolean everything;
  guint done, total;

  g_mutex_lock (&self->lock);
  tables = g_steal_pointer (&self->changed_tables);
  self->changed_tables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  everything = self->changed_everything;
  self->changed_everything = FALSE;
  done = self->pending_done;
  total = self->pending_total;
  self->flush_queued = FALSE;
  g_mutex_unlock (&self->lock);

  if (self->cancellable != NULL)
    set_progress (self, done, total);

  /* Open lists and panes refresh from the app's own store; these are not
   * local edits, so they must not start another sync. */
  self->forwarding = TRUE;
  if (everything)
    crm_store_emit_changed (self->store, NULL);
  else
    {
      GHashTableIter iter;
      const char *table;

      g_hash_table_iter_init (&iter, tables);
      while (g_hash_table_iter_next (&iter, (gpointer *) &table, NULL))
        crm_store_emit_changed (self->store, table);
    }
  self->forwarding = FALSE;
  if (everything || g_hash_table_contains (tables, "conflicts"))
    update_conflicts (self);
  return G_SOURCE_REMOVE;
}

/* Called with the lock held. */
static void
queue_flush_locked (CrmSyncController *self)
{
  g_autoptr(GSource) source = NULL;

  if (self->flush_queued)
    return;
  self->flush_queued = TRUE;
  /* Always a source, never g_main_context_invoke(): that may run the
   * callback right here in the sync thread when the main loop is idle. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, flush_pending, g_object_ref (self), g_object_unref);
  g_source_set_static_name (source, "[crm] sync progress");
  g_source_attach (source, self->context);
}

/* In the sync thread: the worker store committed a page. */
static void
on_worker_changed (CrmStore          *store,
                   const char        *table,
                   const char        *id,
                   CrmSyncController *self)
{
  g_mutex_lock (&self->lock);
  if (table == NULL)
    self->changed_everything = TRUE;
  else
    g_hash_table_add (self->changed_tables, g_strdup (table));
  queue_flush_locked (self);
  g_mutex_unlock (&self->lock);
}

static void
on_progress (guint    done,
             guint    total,
             gpointer user_data)
{
  CrmSyncController *self = user_data;

  g_mutex_lock (&self->lock);
  self->pending_done = done;
  self->pending_total = total;
  queue_flush_locked (self);
  g_mutex_unlock (&self->lock);
}

/* --- running --------------------------------------------------------------- */

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CrmSyncController) self = user_data;
  g_autoptr(GError) error = NULL;
  CrmSyncStats stats = { 0 };
  gboolean ok;
  gboolean shut_down;

  ok = crm_sync_engine_run_finish (CRM_SYNC_ENGINE (source), result, &stats, &error);
  /* What the last pages brought in, before the state says "up to date". */
  flush_pending (self);
  update_conflicts (self);

  shut_down = self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable);
  g_clear_object (&self->cancellable);

  if (shut_down || (CRM_SYNC_ENGINE (source) != self->engine))
    {
      /* The account changed or the app quits: this run is history. */
      if (self->engine != NULL && self->again)
        {
          self->again = FALSE;
          start_run (self);
        }
      return;
    }

  if (ok)
    {
      self->attempts = 0;
      self->last_synced = g_get_real_time () / G_USEC_PER_SEC;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNCED]);
      set_state (self, CRM_SYNC_STATE_UP_TO_DATE, NULL);
      if (self->interval > 0)
        schedule (self, self->interval * 1000);
    }
  else if (g_error_matches (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_UNAUTHORIZED) ||
           g_error_matches (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_FORBIDDEN))
    {
      /* Nothing is lost: the outbox waits until the user signs in again. */
      self->again = FALSE;
      set_state (self, CRM_SYNC_STATE_SIGN_IN_REQUIRED, error->message);
      return;
    }
  else if (g_error_matches (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_SCHEMA))
    {
      /* Retrying cannot help until the app is updated. */
      self->again = FALSE;
      set_state (self, CRM_SYNC_STATE_ERROR, error->message);
      return;
    }
  else if (g_error_matches (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_NETWORK) && !network_reachable (self))
    {
      set_state (self, CRM_SYNC_STATE_OFFLINE, NULL);
      return;
    }
  else
    {
      self->attempts++;
      set_state (self, CRM_SYNC_STATE_ERROR, error->message);
      if (!self->again)
        schedule (self, crm_sync_backoff_delay (self->attempts, self->backoff_base_ms,
                                                self->backoff_max_ms, g_random_double ()));
    }

  if (self->again)
    {
      self->again = FALSE;
      start_run (self);
    }
}

static void
start_run (CrmSyncController *self)
{
  if (self->engine == NULL)
    return;
  if (self->cancellable != NULL)
    {
      self->again = TRUE;
      return;
    }
  if (!network_reachable (self))
    {
      clear_timer (self);
      set_state (self, CRM_SYNC_STATE_OFFLINE, NULL);
      return;
    }

  clear_timer (self);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->cancellable = g_cancellable_new ();
  set_progress (self, 0, 0);
  set_state (self, CRM_SYNC_STATE_SYNCING, NULL);
  crm_sync_engine_run_async (self->engine, self->cancellable, on_run_done, g_object_ref (self));
}

/* --- triggers -------------------------------------------------------------- */

static gboolean
on_debounce (gpointer data)
{
  CrmSyncController *self = data;

  self->debounce_id = 0;
  start_run (self);
  return G_SOURCE_REMOVE;
}

/* A local edit: sync once the user paused, so a burst of edits goes in one
 * push. A sync waiting for its backoff keeps waiting. */
static void
on_store_changed (CrmStore          *store,
                  const char        *table,
                  const char        *id,
                  CrmSyncController *self)
{
  if (self->forwarding)
    return;
  if (g_strcmp0 (table, "conflicts") == 0)
    update_conflicts (self);
  if (self->engine == NULL || self->state == CRM_SYNC_STATE_SIGN_IN_REQUIRED ||
      (self->state == CRM_SYNC_STATE_ERROR && self->attempts > 0))
    return;
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add_full (G_PRIORITY_DEFAULT, self->debounce_ms, on_debounce, self, NULL);
  g_source_set_name_by_id (self->debounce_id, "[crm] sync after edit");
}

static void
on_network_changed (GNetworkMonitor   *monitor,
                    gboolean           available,
                    CrmSyncController *self)
{
  if (self->engine == NULL || self->server_is_loopback)
    return;
  if (!g_network_monitor_get_network_available (monitor))
    {
      if (self->cancellable == NULL)
        {
          clear_timer (self);
          set_state (self, CRM_SYNC_STATE_OFFLINE, NULL);
        }
      return;
    }
  /* Back online: whatever waited goes now, without the backoff. */
  if (self->state == CRM_SYNC_STATE_OFFLINE || self->state == CRM_SYNC_STATE_ERROR)
    {
      self->attempts = 0;
      start_run (self);
    }
}

/* --- GObject --------------------------------------------------------------- */

static void
drop_engine (CrmSyncController *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  clear_timer (self);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  if (self->worker_store != NULL)
    g_signal_handlers_disconnect_by_func (self->worker_store, on_worker_changed, self);
  if (self->engine != NULL)
    crm_sync_engine_set_progress_func (self->engine, NULL, NULL);
  g_clear_object (&self->engine);
  g_clear_object (&self->worker_store);
}

static void
crm_sync_controller_dispose (GObject *object)
{
  CrmSyncController *self = (CrmSyncController *)object;

  drop_engine (self);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_func (self->store, on_store_changed, self);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_func (self->monitor, on_network_changed, self);
  g_clear_object (&self->monitor);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (crm_sync_controller_parent_class)->dispose (object);
}

static void
crm_sync_controller_finalize (GObject *object)
{
  CrmSyncController *self = (CrmSyncController *)object;

  g_free (self->server_url);
  g_free (self->user);
  g_free (self->token);
  g_free (self->error_message);
  g_clear_pointer (&self->changed_tables, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (crm_sync_controller_parent_class)->finalize (object);
}

static void
crm_sync_controller_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CrmSyncController *self = CRM_SYNC_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PROGRESS_DONE:
      g_value_set_uint (value, self->progress_done);
      break;
    case PROP_PROGRESS_TOTAL:
      g_value_set_uint (value, self->progress_total);
      break;
    case PROP_LAST_SYNCED:
      g_value_set_int64 (value, self->last_synced);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    case PROP_CONFLICTS:
      g_value_set_uint (value, self->conflicts);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_sync_controller_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  CrmSyncController *self = CRM_SYNC_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      crm_sync_controller_set_interval (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_sync_controller_class_init (CrmSyncControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = crm_sync_controller_dispose;
  object_class->finalize = crm_sync_controller_finalize;
  object_class->get_property = crm_sync_controller_get_property;
  object_class->set_property = crm_sync_controller_set_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, CRM_TYPE_SYNC_STATE, CRM_SYNC_STATE_NOT_SET_UP, ro);
  properties[PROP_PROGRESS_DONE] =
    g_param_spec_uint ("progress-done", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_PROGRESS_TOTAL] =
    g_param_spec_uint ("progress-total", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_LAST_SYNCED] =
    g_param_spec_int64 ("last-synced", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL, ro);
  properties[PROP_CONFLICTS] =
    g_param_spec_uint ("conflicts", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 0, G_MAXUINT / 1000, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL, ro);
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crm_sync_controller_init (CrmSyncController *self)
{
  g_mutex_init (&self->lock);
  self->changed_tables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->context = g_main_context_ref_thread_default ();
  self->debounce_ms = DEFAULT_DEBOUNCE_MS;
  self->backoff_base_ms = DEFAULT_BACKOFF_BASE_MS;
  self->backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
}

CrmSyncController *
crm_sync_controller_new (CrmStore *store)
{
  CrmSyncController *self;
  g_autofree char *last = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  self = g_object_new (CRM_TYPE_SYNC_CONTROLLER, NULL);
  self->store = g_object_ref (store);
  g_signal_connect (store, "changed", G_CALLBACK (on_store_changed), self);
  crm_sync_controller_set_network_monitor (self, g_network_monitor_get_default ());

  last = crm_store_get_meta (store, "sync_last_synced");
  if (last != NULL)
    self->last_synced = g_ascii_strtoll (last, NULL, 10);
  self->conflicts = crm_sync_count_conflicts (store);
  return self;
}

static gboolean
host_is_loopback (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GInetAddress) address = NULL;
  const char *host;

  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

void
crm_sync_controller_set_account (CrmSyncController *self,
                                 const char        *server_url,
                                 const char        *user,
                                 const char        *token)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CRM_IS_SYNC_CONTROLLER (self));

  drop_engine (self);
  self->attempts = 0;
  self->again = FALSE;
  g_free (self->token);
  self->token = g_strdup (token);
  if (g_strcmp0 (self->server_url, server_url) != 0)
    {
      g_free (self->server_url);
      self->server_url = g_strdup (server_url);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_URL]);
    }
  if (g_strcmp0 (self->user, user) != 0)
    {
      g_free (self->user);
      self->user = g_strdup (user);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
    }

  if (server_url == NULL || user == NULL)
    {
      set_state (self, CRM_SYNC_STATE_NOT_SET_UP, NULL);
      return;
    }
  self->server_is_loopback = host_is_loopback (server_url);
  if (token == NULL)
    {
      set_state (self, CRM_SYNC_STATE_SIGN_IN_REQUIRED, _("Enter your password to sync again."));
      return;
    }

  /* Its own connection, so a sync never waits for the UI nor the UI for
   * a sync (WAL lets them read and write side by side). */
  self->worker_store = crm_store_open (crm_store_get_path (self->store), &error);
  if (self->worker_store == NULL)
    {
      set_state (self, CRM_SYNC_STATE_ERROR, error->message);
      return;
    }
  g_signal_connect (self->worker_store, "changed", G_CALLBACK (on_worker_changed), self);
  self->engine = crm_sync_engine_new (self->worker_store, server_url);
  crm_sync_engine_set_token (self->engine, token);
  crm_sync_engine_set_progress_func (self->engine, on_progress, self);
  start_run (self);
}

const char *
crm_sync_controller_get_server_url (CrmSyncController *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_CONTROLLER (self), NULL);
  return self->server_url;
}

const char *
crm_sync_controller_get_user (CrmSyncController *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_CONTROLLER (self), NULL);
  return self->user;
}

void
crm_sync_controller_set_interval (CrmSyncController *self,
                                  guint              seconds)
{
  g_return_if_fail (CRM_IS_SYNC_CONTROLLER (self));

  if (self->interval == seconds)
    return;
  self->interval = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
  /* Reschedule a waiting periodic sync; a backoff keeps its own time. */
  if (self->state == CRM_SYNC_STATE_UP_TO_DATE && self->cancellable == NULL)
    {
      clear_timer (self);
      if (seconds > 0)
        schedule (self, seconds * 1000);
    }
}

guint
crm_sync_controller_get_interval (CrmSyncController *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_CONTROLLER (self), 0);
  return self->interval;
}

void
crm_sync_controller_sync_now (CrmSyncController *self)
{
  g_return_if_fail (CRM_IS_SYNC_CONTROLLER (self));

  self->attempts = 0;
  start_run (self);
}

void
crm_sync_controller_shutdown (CrmSyncController *self)
{
  g_return_if_fail (CRM_IS_SYNC_CONTROLLER (self));

  drop_engine (self);
}

gboolean
crm_sync_controller_is_running (CrmSyncController *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_CONTROLLER (self), FALSE);
  return self->cancellable != NULL;
}

CrmSyncState
crm_sync_controller_get_state (CrmSyncController *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_CONTROLLER (self), CRM_SYNC_STATE_NOT_SET_UP);
  return self->state;
}

guint
crm_sync_controller_get_progress_done (CrmSyncController *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_CONTROLLER (self), 0);
  return self->progress_done;
}

guint
crm_sync_controller_get_progress_total (CrmSyncController *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_CONTROLLER (self), 0);
  return self->progress_total;
}

gint64
crm_sync_controller_get_last_synced (CrmSyncController *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_CONTROLLER (self), 0);
  return self->last_synced;
}

const char *
crm_sync_controller_get_error_message (CrmSyncController *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_CONTROLLER (self), NULL);
  return self->error_message;
}

guint
crm_sync_controller_get_conflicts (CrmSyncController *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_CONTROLLER (self), 0);
  return self->conflicts;
}

guint
crm_sync_controller_get_next_delay (CrmSyncController *self)
{
  gint64 left;

  g_return_val_if_fail (CRM_IS_SYNC_CONTROLLER (self), 0);

  if (self->timer_id == 0)
    return 0;
  left = (self->timer_due - g_get_monotonic_time ()) / 1000;
  return (guint) MAX (left, 1);
}

void
crm_sync_controller_set_network_monitor (CrmSyncController *self,
                                         GNetworkMonitor   *monitor)
{
  g_return_if_fail (CRM_IS_SYNC_CONTROLLER (self));
  g_return_if_fail (G_IS_NETWORK_MONITOR (monitor));

  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_func (self->monitor, on_network_changed, self);
  g_set_object (&self->monitor, monitor);
  g_signal_connect (monitor, "network-changed", G_CALLBACK (on_network_changed), self);
}

void
crm_sync_controller_set_debounce (CrmSyncController *self,
                                  guint              milliseconds)
{
  g_return_if_fail (CRM_IS_SYNC_CONTROLLER (self));
  self->debounce_ms = milliseconds;
}

void
crm_sync_controller_set_backoff (CrmSyncController *self,
                                 guint              base_ms,
                                 guint              max_ms)
{
  g_return_if_fail (CRM_IS_SYNC_CONTROLLER (self));
  self->backoff_base_ms = MAX (base_ms, 1);
  self->backoff_max_ms = MAX (max_ms, self->backoff_base_ms);
}
