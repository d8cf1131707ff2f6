/* crm-contact-list-model.h: a lazy GListModel of contacts, for lists of any size */
#pragma once

#include <gio/gio.h>

#include "crm-store.h"

G_BEGIN_DECLS

typedef enum
{
  CRM_CONTACT_SORT_NAME,            /* pinyin order for Chinese names */
  CRM_CONTACT_SORT_CREATED,
  CRM_CONTACT_SORT_UPDATED,
  CRM_CONTACT_SORT_LAST_PURCHASE,
  CRM_CONTACT_SORT_TOTAL_SPENT,
  CRM_CONTACT_SORT_PURCHASE_COUNT,
  CRM_CONTACT_SORT_REGION,
  CRM_CONTACT_SORT_LIFECYCLE,
} CrmContactSort;

/* What the list can be narrowed to; values are the stored ones ("lead",
 * "female", "champions", an owner's user id, a province name, a tag) and
 * for the age band "under_25", "25_34", "35_44", "45_54", "55_plus". */
typedef enum
{
  CRM_CONTACT_FILTER_LIFECYCLE,
  CRM_CONTACT_FILTER_TAG,
  CRM_CONTACT_FILTER_OWNER,
  CRM_CONTACT_FILTER_PROVINCE,
  CRM_CONTACT_FILTER_GENDER,
  CRM_CONTACT_FILTER_AGE_BAND,
  CRM_CONTACT_FILTER_RFM_SEGMENT,
  CRM_CONTACT_FILTER_KIND,
  CRM_CONTACT_FILTER_SEGMENT,   /* a segment's id (crm-segment.h) */
  CRM_CONTACT_N_FILTERS
} CrmContactFilter;

typedef struct
{
  char  *value;
  char  *label;   /* the owner's name; NULL otherwise */
  guint  count;
} CrmContactFacet;

#define CRM_TYPE_CONTACT_LIST_MODEL (crm_contact_list_model_get_type ())

G_DECLARE_FINAL_TYPE (CrmContactListModel, crm_contact_list_model, CRM, CONTACT_LIST_MODEL, GObject)

CrmContactListModel *crm_contact_list_model_new             (CrmStore            *store);
CrmContactListModel *crm_contact_list_model_new_deferred    (CrmStore            *store);
void                 crm_contact_list_model_start           (CrmContactListModel *self);
gboolean             crm_contact_list_model_get_started     (CrmContactListModel *self);
CrmStore            *crm_contact_list_model_get_store       (CrmContactListModel *self);
const char          *crm_contact_list_model_get_query       (CrmContactListModel *self);
void                 crm_contact_list_model_set_query       (CrmContactListModel *self,
                                                             const char          *query);
CrmContactSort       crm_contact_list_model_get_sort        (CrmContactListModel *self);
gboolean             crm_contact_list_model_get_descending  (CrmContactListModel *self);
void                 crm_contact_list_model_set_sort        (CrmContactListModel *self,
                                                             CrmContactSort       sort,
                                                             gboolean             descending);
guint                crm_contact_list_model_get_total       (CrmContactListModel *self);
gboolean             crm_contact_list_model_get_total_is_capped (CrmContactListModel *self);
guint                crm_contact_list_model_find            (CrmContactListModel *self,
                                                             const char          *id);
gboolean             crm_contact_list_model_refresh         (CrmContactListModel *self,
                                                             GError             **error);
void                 crm_contact_list_model_set_filter      (CrmContactListModel *self,
                                                             CrmContactFilter     filter,
                                                             const char          *value);
const char          *crm_contact_list_model_get_filter      (CrmContactListModel *self,
                                                             CrmContactFilter     filter);
guint                crm_contact_list_model_get_n_filters   (CrmContactListModel *self);
void                 crm_contact_list_model_clear_filters   (CrmContactListModel *self);
void                 crm_contact_list_model_set_reference_date (CrmContactListModel *self,
                                                                const char          *date);
GPtrArray           *crm_contact_list_model_count_facet     (CrmContactListModel *self,
                                                             CrmContactFilter     filter,
                                                             GError             **error);
void                 crm_contact_list_model_count_facet_async  (CrmContactListModel *self,
                                                                CrmContactFilter     filter,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
GPtrArray           *crm_contact_list_model_count_facet_finish (GAsyncResult        *result,
                                                                GError             **error);
CrmContactFilter     crm_contact_list_model_count_facet_get_filter (GAsyncResult    *result);
const GError        *crm_contact_list_model_get_error       (CrmContactListModel *self);
gboolean             crm_contact_list_model_get_loading     (CrmContactListModel *self);
void                 crm_contact_list_model_set_sync_rows   (CrmContactListModel *self,
                                                             guint                rows);

/* The row id at @position (0 past the end): cheap, for work on many
 * selected rows that reads them elsewhere (a thread with its own store),
 * where crm_contact_list_model_id_for_rid() turns it into the contact id. */
gint64               crm_contact_list_model_get_rid         (CrmContactListModel *self,
                                                             guint                position);
char                *crm_contact_list_model_id_for_rid      (CrmStore            *store,
                                                             gint64               rid,
                                                             GError             **error);

G_END_DECLS
