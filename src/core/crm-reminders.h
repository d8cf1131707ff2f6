/* crm-reminders.h: open tasks by due date, tasks coming due, and upcoming birthdays */
#pragma once

#include <glib.h>

#include "crm-store.h"

G_BEGIN_DECLS

/* Open tasks (not done, not deleted) of @assignee_id (NULL: everyone's),
 * as CrmActivity records, soonest due first; tasks without a due date last. */
GPtrArray *crm_reminders_list_open_tasks    (CrmStore    *store,
                                             const char  *assignee_id,
                                             GError     **error);

/* Open tasks of deal @deal_id, soonest due first, undated last. */
GPtrArray *crm_reminders_list_deal_tasks    (CrmStore    *store,
                                             const char  *deal_id,
                                             GError     **error);

/* Open tasks whose due_at is in (@after, @until] (ISO 8601 UTC): the ones
 * that came due since the last look. */
GPtrArray *crm_reminders_list_coming_due    (CrmStore    *store,
                                             const char  *after,
                                             const char  *until,
                                             GError     **error);

/* Open tasks due in [@from, @before) (ISO 8601 UTC; NULL for no bound),
 * and when @undated those without a due date too (last), soonest first,
 * at most @limit (0: all). */
GPtrArray *crm_reminders_list_tasks_due     (CrmStore    *store,
                                             const char  *from,
                                             const char  *before,
                                             gboolean     undated,
                                             guint        limit,
                                             GError     **error);

/* Open tasks due before @now (ISO 8601 UTC). */
guint      crm_reminders_count_overdue      (CrmStore    *store,
                                             const char  *now,
                                             GError     **error);

/* People whose birthday falls within @days days from @today ("YYYY-MM-DD",
 * today included), as CrmContact records, soonest first, at most @limit
 * (0: all). 29 February birthdays come on 28 February in other years. */
GPtrArray *crm_reminders_list_birthdays     (CrmStore    *store,
                                             const char  *today,
                                             guint        days,
                                             guint        limit,
                                             GError     **error);

/* "YYYY-MM-DD" of the next birthday on or after @today. */
char      *crm_reminders_next_birthday      (const char  *birthday,
                                             const char  *today);

G_END_DECLS
