/* crm-sync-controller.h: when to sync (start, timer, after edits, on demand, network back) and what state sync is in */
#pragma once

#include <gio/gio.h>

#include "crm-store.h"

G_BEGIN_DECLS

typedef enum
{
  CRM_SYNC_STATE_NOT_SET_UP,        /* no account: this computer only */
  CRM_SYNC_STATE_OFFLINE,           /* no network to the server */
  CRM_SYNC_STATE_SYNCING,           /* progress-done of progress-total */
  CRM_SYNC_STATE_UP_TO_DATE,        /* as of last-synced */
  CRM_SYNC_STATE_ERROR,             /* error-message; retried after a backoff */
  CRM_SYNC_STATE_SIGN_IN_REQUIRED,  /* the token was refused: ask for the password */
} CrmSyncState;

GType crm_sync_state_get_type (void) G_GNUC_CONST;
#define CRM_TYPE_SYNC_STATE (crm_sync_state_get_type ())

#define CRM_TYPE_SYNC_CONTROLLER (crm_sync_controller_get_type ())
G_DECLARE_FINAL_TYPE (CrmSyncController, crm_sync_controller, CRM, SYNC_CONTROLLER, GObject)

/* @store is the one the app works with: the controller watches it for
 * local changes and tells it (`changed`) what a sync brought in. Syncs
 * run in a worker thread on a second connection to the same file. */
CrmSyncController *crm_sync_controller_new          (CrmStore          *store);

/* Starts syncing as @user on @server_url with @token (all NULL: stop, the
 * state becomes NOT_SET_UP). Syncs at once. */
void           crm_sync_controller_set_account      (CrmSyncController *self,
                                                     const char        *server_url,
                                                     const char        *user,
                                                     const char        *token);
const char    *crm_sync_controller_get_server_url   (CrmSyncController *self);
const char    *crm_sync_controller_get_user         (CrmSyncController *self);

/* Seconds between automatic syncs (0: only on start, after edits and on
 * demand). Bound to the `sync-interval` setting by the app. */
void           crm_sync_controller_set_interval     (CrmSyncController *self,
                                                     guint              seconds);
guint          crm_sync_controller_get_interval     (CrmSyncController *self);

/* A sync now; when one is running, another right after it. */
void           crm_sync_controller_sync_now         (CrmSyncController *self);
/* Cancels a running sync and stops scheduling; for when the app quits or
 * the account changes. */
void           crm_sync_controller_shutdown         (CrmSyncController *self);
gboolean       crm_sync_controller_is_running       (CrmSyncController *self);

CrmSyncState   crm_sync_controller_get_state        (CrmSyncController *self);
guint          crm_sync_controller_get_progress_done  (CrmSyncController *self);
guint          crm_sync_controller_get_progress_total (CrmSyncController *self);
/* Unix time of the last complete sync, 0 if never. */
gint64         crm_sync_controller_get_last_synced  (CrmSyncController *self);
const char    *crm_sync_controller_get_error_message (CrmSyncController *self);
guint          crm_sync_controller_get_conflicts    (CrmSyncController *self);
/* Milliseconds until the next automatic attempt (0: none planned). */
guint          crm_sync_controller_get_next_delay   (CrmSyncController *self);

/* For tests: the network monitor to follow (default: the system's), how
 * long to wait after a local edit, and the backoff after failures. */
void           crm_sync_controller_set_network_monitor (CrmSyncController *self,
                                                        GNetworkMonitor   *monitor);
void           crm_sync_controller_set_debounce     (CrmSyncController *self,
                                                     guint              milliseconds);
void           crm_sync_controller_set_backoff      (CrmSyncController *self,
                                                     guint              base_ms,
                                                     guint              max_ms);

/* The wait before retry @attempt (1, 2, …): base · 2^(attempt-1), at most
 * @max_ms, times a jitter factor from @random (0..1) between ½ and 1, so
 * clients that failed together do not come back together. */
guint          crm_sync_backoff_delay               (guint              attempt,
                                                     guint              base_ms,
                                                     guint              max_ms,
                                                     double             random);

G_END_DECLS
