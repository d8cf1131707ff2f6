/* crm-sync-engine.h: the client side of sync: push the outbox, pull by cursor, merge, keep conflicts */
#pragma once

#include <gio/gio.h>

#include "crm-store.h"
#include "crm-sync-protocol.h"

G_BEGIN_DECLS

#define CRM_TYPE_SYNC_ENGINE (crm_sync_engine_get_type ())
G_DECLARE_FINAL_TYPE (CrmSyncEngine, crm_sync_engine, CRM, SYNC_ENGINE, GObject)

typedef struct
{
  guint pushed;      /* mutations the server acknowledged */
  guint rejected;    /* of those, refused (permission, validation) */
  guint pulled;      /* changes applied locally */
  guint conflicts;   /* conflicts recorded by this run */
  gint64 index_usec; /* spent building the search index after a bulk pull */
  gint64 wait_usec;  /* the writer spent waiting for pulled pages to arrive */
} CrmSyncStats;

/* @store is used from the thread that runs the sync; while a sync runs,
 * nothing else may use it. */
CrmSyncEngine *crm_sync_engine_new            (CrmStore       *store,
                                               const char     *server_url);
void           crm_sync_engine_set_credentials (CrmSyncEngine *self,
                                               const char     *user,
                                               const char     *password);
const char    *crm_sync_engine_get_token      (CrmSyncEngine  *self);
/* The signed-in user's role as the server said at the last sign-in. */
const char    *crm_sync_engine_get_role       (CrmSyncEngine  *self);
void           crm_sync_engine_set_token      (CrmSyncEngine  *self,
                                               const char     *token);
/* Changes per pull page (≤ CRM_SYNC_MAX_PAGE) and mutations per push. */
void           crm_sync_engine_set_page_size  (CrmSyncEngine  *self,
                                               guint           page_size);
void           crm_sync_engine_set_batch_size (CrmSyncEngine  *self,
                                               guint           batch_size);
/* Stops a pull after @pages pages, as an interrupted sync would (tests). */
void           crm_sync_engine_set_max_pages  (CrmSyncEngine  *self,
                                               guint           pages);
/* Whether a run pulls after pushing (default TRUE); benchmarks of the
 * push path turn it off. */
void           crm_sync_engine_set_pull_enabled (CrmSyncEngine *self,
                                                 gboolean       enabled);
/* Called from the thread that runs the sync after each push batch and
 * pull page: @done changes of about @total (the total of a pull is an
 * upper bound that shrinks as pages arrive). */
typedef void (*CrmSyncProgressFunc) (guint    done,
                                     guint    total,
                                     gpointer user_data);
void           crm_sync_engine_set_progress_func (CrmSyncEngine       *self,
                                                  CrmSyncProgressFunc  func,
                                                  gpointer             user_data);
/* Signs in with the credentials (POST /v1/login) and keeps the token. */
gboolean       crm_sync_engine_sign_in        (CrmSyncEngine  *self,
                                               GCancellable   *cancellable,
                                               GError        **error);
/* Reasons of the mutations the server refused in the last run. */
const char * const *crm_sync_engine_get_rejections (CrmSyncEngine *self);

/* Logs in if needed, pushes the outbox, then pulls until up to date. */
gboolean       crm_sync_engine_run            (CrmSyncEngine  *self,
                                               GCancellable   *cancellable,
                                               CrmSyncStats   *out_stats,
                                               GError        **error);
void           crm_sync_engine_run_async      (CrmSyncEngine       *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean       crm_sync_engine_run_finish     (CrmSyncEngine  *self,
                                               GAsyncResult   *result,
                                               CrmSyncStats   *out_stats,
                                               GError        **error);

/* Conflicts kept by merges (the `conflicts` table of the store). */
/* Applies one page of a pull response (`changes`, `cursor`, `conflicts`,
 * `more`) in one transaction, as a sync does after each GET /v1/pull; the
 * page is checked member by member, so a broken one changes nothing. When
 * rows of it refer to rows not there yet and `more` is true, the
 * transaction stays open for the next page; the last page commits it
 * without what still refers to nothing. */
gboolean       crm_sync_engine_apply_pull_page (CrmSyncEngine  *self,
                                                JsonObject     *page,
                                                CrmSyncStats   *stats,
                                                gint64         *out_cursor,
                                                guint          *out_n_changes,
                                                gboolean       *out_more,
                                                GError        **error);
/* Rolls back pages left open when no more will come. */
void           crm_sync_engine_abandon_pull    (CrmSyncEngine  *self);

guint          crm_sync_count_conflicts       (CrmStore       *store);

/* One open conflict, as `crmctl conflicts list` and the conflicts window
 * show it. Values are JSON text (NULL: none); clocks say when and on which
 * client (crm_sync_hlc_client_id()). */
typedef struct
{
  gint64 id;
  char *table;
  char *row_id;
  char *row_label;     /* the contact's name, a deal's title, … (NULL if gone) */
  char *field;         /* NULL for delete_edit */
  gboolean delete_edit;
  char *local_value;   /* a delete_edit: the edit, as a JSON object */
  char *remote_value;
  char *local_hlc;
  char *remote_hlc;
  char *remote_by;       /* who made the remote change (NULL: not known) */
  gboolean local_won;
} CrmSyncConflict;

void           crm_sync_conflict_free         (CrmSyncConflict *conflict);
/* Open conflicts, oldest first (GPtrArray of CrmSyncConflict). */
GPtrArray     *crm_sync_list_conflicts        (CrmStore       *store,
                                               GError        **error);
/* A JSON value as a person reads it: strings without quotes, "∅" for none. */
char          *crm_sync_conflict_display_value (const char    *json);
/* The client id at the end of a clock value (NULL if it has none). */
char          *crm_sync_hlc_client_id         (const char     *hlc);
/* A short name for the computer that made a change: the random last 8
 * characters of its client id (NULL if the clock has none). */
char          *crm_sync_hlc_device_label      (const char     *hlc);
/* The same short name from a client id. */
char          *crm_sync_client_label          (const char     *client_id);
/* What people call a record: a contact's name, a deal's title, an
 * activity's subject, a purchase's product; NULL when it is not here. */
char          *crm_sync_row_label             (CrmStore       *store,
                                               const char     *table,
                                               const char     *row_id);
/* Makes the losing value of conflict @id current again (@keep_mine: the
 * local value; otherwise the remote one), as a new local edit that syncs;
 * for a delete-vs-edit conflict, keep mine restores the row with the edit. */
gboolean       crm_sync_resolve_conflict      (CrmStore       *store,
                                               gint64          id,
                                               gboolean        keep_mine,
                                               GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSyncConflict, crm_sync_conflict_free)

G_END_DECLS
