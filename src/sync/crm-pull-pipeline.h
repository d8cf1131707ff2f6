/* crm-pull-pipeline.h: pulled pages fetched and prepared ahead of the thread that writes them */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "crm-pulled-page.h"

G_BEGIN_DECLS

typedef struct _CrmPullPipeline CrmPullPipeline;

/* Asks the server for @path and gives its answer, parsed: called in the
 * pipeline's fetching thread. */
typedef gboolean (*CrmPullFetchFunc) (const char    *path,
                                      GCancellable  *cancellable,
                                      JsonObject   **out_body,
                                      GError       **error,
                                      gpointer       user_data);

/* The address of the page after @cursor; called in the fetching thread. */
typedef char *(*CrmPullPathFunc) (gint64   cursor,
                                  gpointer user_data);

gboolean         crm_pull_pipeline_next_cursor (JsonObject *body,
                                                gint64      cursor,
                                                gint64     *out_next);

CrmPullPipeline *crm_pull_pipeline_start   (gint64            cursor,
                                            guint             max_pages,
                                            GCancellable     *cancellable,
                                            CrmPullFetchFunc  fetch,
                                            CrmPullPathFunc   path,
                                            gpointer          user_data);
CrmPulledPage   *crm_pull_pipeline_take    (CrmPullPipeline  *self,
                                            const char       *path);
void             crm_pull_pipeline_recycle (CrmPullPipeline  *self,
                                            CrmPulledPage    *spent);
void             crm_pull_pipeline_free    (CrmPullPipeline  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmPullPipeline, crm_pull_pipeline_free)

G_END_DECLS
