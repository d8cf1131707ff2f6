/* crm-contact-search.h: finding contacts by name, pinyin, email, phone, organization or tag */
#pragma once

#include <glib.h>

#include "crm-store.h"

G_BEGIN_DECLS

/* Up to @limit ids of contacts matching @query (newly allocated strings),
 * best first: exact matches, then prefixes, then substrings. @out_total (may
 * be NULL) receives the number of matches ignoring @limit and @offset.
 * An empty query matches every contact, in name order. */
GPtrArray *crm_contact_search             (CrmStore    *store,
                                           const char  *query,
                                           guint        limit,
                                           guint        offset,
                                           guint       *out_total,
                                           GError     **error);

/* Bulk writers (import, demo) switch index maintenance off, write, and
 * rebuild once: row-by-row indexing is several times slower (DESIGN §10).
 * Rebuilding also switches maintenance back on. */
gboolean   crm_contact_search_set_deferred (CrmStore   *store,
                                            gboolean    deferred,
                                            GError    **error);
gboolean   crm_contact_search_get_deferred (CrmStore   *store);
gboolean   crm_contact_search_rebuild      (CrmStore   *store,
                                            GError    **error);

/* The form a query is matched in: trimmed, ASCII lowercase; a query that
 * looks like a phone number is reduced to its digits. */
char      *crm_contact_search_normalize_query (const char *query);

G_END_DECLS
