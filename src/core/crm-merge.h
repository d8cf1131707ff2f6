/* crm-merge.h: merging a duplicate contact into another, and undoing it */
#pragma once

#include "crm-record.h"
#include "crm-store.h"

G_BEGIN_DECLS

/* Merges @other_id into @primary_id in one transaction: the primary keeps
 * its values and gets the other's where it has none; phones, emails and
 * tags are united and differing notes appended; purchases, activities,
 * deals, campaign memberships, survey responses (and, for an
 * organization, its people) move to the primary; the other becomes a
 * tombstone, so the merge syncs. Every change is in the audit log (the
 * store's triggers), and the merge is recorded so that
 * crm_merge_undo() reverts it. @out_merge_id (may be NULL) receives its
 * id. */
gboolean  crm_merge_contacts     (CrmStore     *store,
                                  const char   *primary_id,
                                  const char   *other_id,
                                  char        **out_merge_id,
                                  GError      **error);
/* Like crm_merge_contacts(), but for each field named in @from_other
 * (NULL-terminated, NULL for none; e.g. "name", "title", "birthday") the
 * other's value replaces the primary's, as a person comparing the two
 * chose it. Phones, emails and tags are united either way; undo restores
 * the chosen fields too. */
gboolean  crm_merge_contacts_choosing (CrmStore           *store,
                                       const char         *primary_id,
                                       const char         *other_id,
                                       const char * const *from_other,
                                       char              **out_merge_id,
                                       GError            **error);
gboolean  crm_merge_undo         (CrmStore     *store,
                                  const char   *merge_id,
                                  GError      **error);

/* Copies what @incoming has into @existing: all of its non-empty fields
 * when @overwrite, else only into fields @existing has empty. With
 * @only_changed, only fields changed on @incoming count (a record built
 * from a row). Phones, emails and tags are united, never replaced. */
void      crm_merge_fill_fields  (CrmRecord    *existing,
                                  CrmRecord    *incoming,
                                  gboolean      overwrite,
                                  gboolean      only_changed);

G_END_DECLS
