/* crm-pulled-page.h: a page of a pull, with what storing its new rows needs worked out ahead */
#pragma once

#include <json-glib/json-glib.h>

#include "crm-contact-search-rows.h"
#include "crm-sync-insert-batch.h"

G_BEGIN_DECLS

typedef struct _CrmPulledPage CrmPulledPage;

/* A change of a pulled page, its members checked; the strings and objects
 * belong to the page. */
typedef struct
{
  const char *op;
  const char *table;
  const char *id;
  gint64 seq;
  JsonObject *row;
  JsonObject *hlcs;
  JsonObject *authors;
} CrmPulledChange;

CrmPulledPage        *crm_pulled_page_new             (JsonObject    *body);
void                  crm_pulled_page_free            (CrmPulledPage *self);
JsonObject           *crm_pulled_page_get_body        (CrmPulledPage *self);
gboolean              crm_pulled_page_get_change      (CrmPulledPage    *self,
                                                       guint             index,
                                                       CrmPulledChange  *out,
                                                       GError          **error);
const char           *crm_pulled_page_get_newest_clock (CrmPulledPage *self);
const char           *crm_pulled_page_get_updated_at  (CrmPulledPage *self,
                                                       guint          index);
void                  crm_pulled_page_take_readings   (CrmPulledPage   *self,
                                                       guint            index,
                                                       CrmSyncReadings *out);
GPtrArray            *crm_pulled_page_steal_texts     (CrmPulledPage *self,
                                                       guint          index);
CrmContactSearchRows *crm_pulled_page_steal_search_rows (CrmPulledPage *self,
                                                         GArray       **out_by_sql);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmPulledPage, crm_pulled_page_free)

G_END_DECLS
