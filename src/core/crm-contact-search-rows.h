/* crm-contact-search-rows.h: the search rows of new contacts, worked out apart from writing them */
#pragma once

#include <json-glib/json-glib.h>

#include "crm-store.h"

G_BEGIN_DECLS

typedef struct _CrmContactSearchRows CrmContactSearchRows;

CrmContactSearchRows *crm_contact_search_rows_new   (void);
void                  crm_contact_search_rows_free  (CrmContactSearchRows *self);

/* Adds the rows the search triggers would write for one contact (not
 * deleted), under @number: its rid, or a number that
 * crm_contact_search_rows_write() maps to one. Numbers only grow from
 * one call to the next. The JSON columns are given as stored; NULL is
 * the same as "[]". Returns FALSE, adding nothing, for JSON that holds
 * anything but what the app writes (strings in emails and tags, objects
 * with a string e164 in phones): the triggers' SQL must index that
 * contact (crm_contact_search_index_one()).
 *
 * Needs no store: a thread may work out a page's rows while another
 * writes the page before. */
gboolean              crm_contact_search_rows_add   (CrmContactSearchRows *self,
                                                     gint64                number,
                                                     const char           *name,
                                                     const char           *pinyin,
                                                     const char           *initials,
                                                     const char           *emails_json,
                                                     const char           *phones_json,
                                                     const char           *tags_json,
                                                     const char           *organization_id);

/* The same with the JSON columns as parsed nodes (a pulled page's), NULL
 * or JSON null for none. */
gboolean              crm_contact_search_rows_add_nodes (CrmContactSearchRows *self,
                                                         gint64                number,
                                                         const char           *name,
                                                         const char           *pinyin,
                                                         const char           *initials,
                                                         JsonNode             *emails,
                                                         JsonNode             *phones,
                                                         JsonNode             *tags,
                                                         const char           *organization_id);

/* Sorts the rows in the order they are written in; write() does it if it
 * was not done. */
void                  crm_contact_search_rows_sort  (CrmContactSearchRows *self);

/* Writes the rows and empties @self. With @rids, row number n goes to the
 * contact rids[n] and is left out when that is 0 or n >= @n_rids; the
 * rids must grow with the numbers. Without, the numbers are the rids. */
gboolean              crm_contact_search_rows_write (CrmContactSearchRows *self,
                                                     CrmStore             *store,
                                                     const gint64         *rids,
                                                     guint                 n_rids,
                                                     GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmContactSearchRows, crm_contact_search_rows_free)

G_END_DECLS
