/* crm-contact-search.h: finding contacts by name, pinyin, email, phone, organization or tag */
#pragma once

#include <glib.h>

#include "crm-contact-search-rows.h"
#include "crm-store.h"

G_BEGIN_DECLS

/* Counting every match of a short query costs time in proportion to the
 * matches (tens of ms for "wang" among a million contacts), so searches
 * stop counting past this many: a UI says "more than 10,000". */
#define CRM_CONTACT_SEARCH_TOTAL_CAP 10000

/* Up to @limit contacts.rid values of contacts matching @query, best first:
 * contacts with a field (name, pinyin, initials, an email, a phone number,
 * a tag) equal to the query, then those with a field starting with it, then
 * the others (the query inside a field, or the organization's name).
 * Within a rank the order is stable, so @offset pages through it.
 *
 * @out_total (may be NULL) receives the number of matches ignoring @limit
 * and @offset, but at most CRM_CONTACT_SEARCH_TOTAL_CAP; then
 * @out_total_is_capped (may be NULL) is TRUE and there are more matches.
 * An empty query matches every contact, in name order, with an exact total. */
GArray    *crm_contact_search_rids        (CrmStore    *store,
                                           const char  *query,
                                           guint        limit,
                                           guint        offset,
                                           guint       *out_total,
                                           gboolean    *out_total_is_capped,
                                           GError     **error);

/* The ids of the contacts with these rids, in the same order (newly
 * allocated strings); rids no longer in the table are left out. */
GPtrArray *crm_contact_search_get_ids     (CrmStore    *store,
                                           GArray      *rids,
                                           GError     **error);

/* crm_contact_search_rids() as contact ids (newly allocated strings). A
 * total of CRM_CONTACT_SEARCH_TOTAL_CAP means that many or more. */
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

/* Inside a transaction, a bulk writer pauses index maintenance, inserts
 * contacts, and resumes before anything else writes to contacts (an
 * update of an older contact needs the triggers) and before it commits:
 * resuming indexes every contact inserted since, set-based, the same rows
 * the triggers would have written, in a fraction of their time.
 * @out_from_rid is 0 when maintenance was already off for a rebuild;
 * resuming with 0 does nothing. */
gboolean   crm_contact_search_pause        (CrmStore   *store,
                                            gint64     *out_from_rid,
                                            GError    **error);
gboolean   crm_contact_search_resume       (CrmStore   *store,
                                            gint64      from_rid,
                                            GError    **error);

/* crm_contact_search_resume() for contacts whose search rows were worked
 * out ahead: @rows, written as crm_contact_search_rows_write() does with
 * @rids, and the numbers in @by_sql (guint) with the triggers' SQL. Every
 * contact inserted since the pause must be among them. */
gboolean   crm_contact_search_resume_with_rows (CrmStore              *store,
                                                CrmContactSearchRows  *rows,
                                                const gint64          *rids,
                                                guint                  n_rids,
                                                GArray                *by_sql,
                                                GError               **error);

/* Writes one contact's search rows with the triggers' SQL, as if it had
 * been inserted with maintenance on (crm-contact-search-rows.c leaves
 * contacts with odd JSON to this). */
gboolean   crm_contact_search_index_one    (CrmStore   *store,
                                            gint64      rid,
                                            GError    **error);

/* The form a query is matched in: trimmed, ASCII lowercase; a query that
 * looks like a phone number is reduced to its digits. */
char      *crm_contact_search_normalize_query (const char *query);

G_END_DECLS
