/* crm-hlc.h: hybrid logical clock timestamps that order edits across replicas */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A timestamp reads "2024-03-05T08:09:10.123Z-0001-<client id>": wall time
 * in UTC milliseconds, a 4-hex-digit logical counter, the replica's id.
 * Plain strcmp() orders them: time, then counter, then client id (the tie
 * breaker of DESIGN.md §5). */

/* A remote clock further ahead of ours than this is clamped (DESIGN.md §5). */
#define CRM_HLC_MAX_DRIFT_MS (5 * 60 * 1000)

typedef struct _CrmHlc CrmHlc;

CrmHlc   *crm_hlc_new            (const char  *client_id);
void      crm_hlc_free           (CrmHlc      *hlc);
const char *crm_hlc_get_client_id (CrmHlc     *hlc);

char     *crm_hlc_now            (CrmHlc      *hlc);
char     *crm_hlc_now_at         (CrmHlc      *hlc,
                                  gint64       wall_ms);
char     *crm_hlc_receive        (CrmHlc      *hlc,
                                  const char  *remote,
                                  GError     **error);
char     *crm_hlc_receive_at     (CrmHlc      *hlc,
                                  const char  *remote,
                                  gint64       wall_ms,
                                  GError     **error);
char     *crm_hlc_get_last       (CrmHlc      *hlc);
gboolean  crm_hlc_restore        (CrmHlc      *hlc,
                                  const char  *last,
                                  GError     **error);

char     *crm_hlc_format         (gint64       ms,
                                  guint        counter,
                                  const char  *client_id);
gboolean  crm_hlc_parse          (const char  *text,
                                  gint64      *out_ms,
                                  guint       *out_counter,
                                  char       **out_client_id);
int       crm_hlc_compare        (const char  *a,
                                  const char  *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmHlc, crm_hlc_free)

G_END_DECLS
