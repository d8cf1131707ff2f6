/* crm-reminders.c: open tasks by due date, tasks coming due, and upcoming birthdays */

#include "config.h"

#include <stdio.h>

#include "crm-activity.h"
#include "crm-contact.h"
#include "crm-reminders.h"
#include "crm-store-private.h"

static const char open_tasks_sql[] =
  "SELECT id FROM activities"
  " WHERE kind = 'task' AND done_at IS NULL AND deleted = 0 AND (?1 IS NULL OR assignee_id = ?1)"
  " ORDER BY due_at IS NULL, due_at, id";

static const char deal_tasks_sql[] =
  "SELECT id FROM activities"
  " WHERE deal_id = ?1 AND kind = 'task' AND done_at IS NULL AND deleted = 0"
  " ORDER BY due_at IS NULL, due_at, id";

static const char coming_due_sql[] =
  "SELECT id FROM activities"
  " WHERE kind = 'task' AND done_at IS NULL AND deleted = 0 AND due_at > ?1 AND due_at <= ?2"
  " ORDER BY due_at, id";

static const char overdue_sql[] =
  "SELECT count (*) FROM activities"
  " WHERE kind = 'task' AND done_at IS NULL AND deleted = 0 AND due_at < ?1";

/* Open tasks due in [?1, ?2) (NULL: no bound), then those without a due
 * date; both in the order of the activities_open_tasks index, so a LIMIT
 * reads only what it returns. */
static const char tasks_due_sql[] =
  "SELECT id FROM activities"
  " WHERE kind = 'task' AND done_at IS NULL AND deleted = 0"
  " AND due_at >= coalesce (?1, '') AND due_at < coalesce (?2, '9999')"
  " ORDER BY due_at, rowid LIMIT ?3";
static const char tasks_undated_sql[] =
  "SELECT id FROM activities"
  " WHERE kind = 'task' AND done_at IS NULL AND deleted = 0 AND due_at IS NULL"
  " ORDER BY rowid LIMIT ?1";

/* Through the contacts_birthday index on substr (birthday, 6) ("MM-DD"),
 * in its order, so a LIMIT reads only what it returns. "+deleted" keeps
 * the planner off contacts_rfm (deleted, ...), which reads every contact. */
static const char birthdays_sql[] =
  "SELECT id FROM contacts WHERE birthday IS NOT NULL AND +deleted = 0"
  " AND substr (birthday, 6) BETWEEN ?1 AND ?2"
  " ORDER BY substr (birthday, 6), rowid LIMIT ?3";

static GPtrArray *
load_ids (CrmStore      *store,
          sqlite3_stmt  *stmt,
          GType          type,
          GError       **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  sqlite3_reset (stmt);

  for (guint i = 0; i < ids->len; i++)
    {
      CrmRecord *record = crm_store_get (store, type, g_ptr_array_index (ids, i), error);

      if (record == NULL)
        return NULL;
      g_ptr_array_add (records, record);
    }
  return g_steal_pointer (&records);
}

GPtrArray *
crm_reminders_list_open_tasks (CrmStore    *store,
                               const char  *assignee_id,
                               GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  stmt = crm_store_prepare (store, open_tasks_sql, error);
  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, assignee_id);
  return load_ids (store, stmt, CRM_TYPE_ACTIVITY, error);
}

GPtrArray *
crm_reminders_list_deal_tasks (CrmStore    *store,
                               const char  *deal_id,
                               GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  stmt = crm_store_prepare (store, deal_tasks_sql, error);
  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, deal_id);
  return load_ids (store, stmt, CRM_TYPE_ACTIVITY, error);
}

GPtrArray *
crm_reminders_list_coming_due (CrmStore    *store,
                               const char  *after,
                               const char  *until,
                               GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (after != NULL && until != NULL, NULL);

  stmt = crm_store_prepare (store, coming_due_sql, error);
  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, after);
  crm_stmt_bind_text (stmt, 2, until);
  return load_ids (store, stmt, CRM_TYPE_ACTIVITY, error);
}

GPtrArray *
crm_reminders_list_tasks_due (CrmStore    *store,
                              const char  *from,
                              const char  *before,
                              gboolean     undated,
                              guint        limit,
                              GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autoptr(CrmCachedStmt) undated_stmt = NULL;
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(GPtrArray) more = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  stmt = crm_store_prepare (store, tasks_due_sql, error);
  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, from);
  crm_stmt_bind_text (stmt, 2, before);
  sqlite3_bind_int64 (stmt, 3, limit > 0 ? (sqlite3_int64) limit : -1);
  tasks = load_ids (store, stmt, CRM_TYPE_ACTIVITY, error);
  if (tasks == NULL || !undated || (limit > 0 && tasks->len >= limit))
    return g_steal_pointer (&tasks);

  undated_stmt = crm_store_prepare (store, tasks_undated_sql, error);
  if (undated_stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (undated_stmt, 1, limit > 0 ? (sqlite3_int64) (limit - tasks->len) : -1);
  more = load_ids (store, undated_stmt, CRM_TYPE_ACTIVITY, error);
  if (more == NULL)
    return NULL;
  for (guint i = 0; i < more->len; i++)
    g_ptr_array_add (tasks, g_object_ref (g_ptr_array_index (more, i)));
  return g_steal_pointer (&tasks);
}

guint
crm_reminders_count_overdue (CrmStore    *store,
                             const char  *now,
                             GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CRM_IS_STORE (store), 0);

  stmt = crm_store_prepare (store, overdue_sql, error);
  if (stmt == NULL)
    return 0;
  crm_stmt_bind_text (stmt, 1, now);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      crm_store_take_error (store, rc, error);
      return 0;
    }
  return (guint) sqlite3_column_int64 (stmt, 0);
}

static GDate *
parse_day (const char *text)
{
  guint y, m, d;

  if (text == NULL || sscanf (text, "%4u-%2u-%2u", &y, &m, &d) != 3 || !g_date_valid_dmy (d, m, y))
    return NULL;
  return g_date_new_dmy (d, m, y);
}

char *
crm_reminders_next_birthday (const char *birthday,
                             const char *today)
{
  g_autoptr(GDate) born = parse_day (birthday);
  g_autoptr(GDate) now = parse_day (today);
  GDateYear year;

  if (born == NULL || now == NULL)
    return NULL;

  for (year = g_date_get_year (now); ; year++)
    {
      GDateDay day = g_date_get_day (born);
      g_autoptr(GDate) next = NULL;

      if (g_date_get_month (born) == G_DATE_FEBRUARY && day == 29 && !g_date_is_leap_year (year))
        day = 28;
      next = g_date_new_dmy (day, g_date_get_month (born), year);
      if (g_date_compare (next, now) >= 0)
        return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (next), g_date_get_month (next), g_date_get_day (next));
    }
}

static int
compare_next (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const char *today = user_data;
  g_autofree char *next_a = crm_reminders_next_birthday (crm_record_get_string (*(CrmRecord **) a, "birthday"), today);
  g_autofree char *next_b = crm_reminders_next_birthday (crm_record_get_string (*(CrmRecord **) b, "birthday"), today);

  return g_strcmp0 (next_a, next_b);
}

GPtrArray *
crm_reminders_list_birthdays (CrmStore    *store,
                              const char  *today,
                              guint        days,
                              guint        limit,
                              GError     **error)
{
  g_autoptr(GDate) start = parse_day (today);
  g_autoptr(GDate) end = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  char from[8], to[8];
  gboolean wraps;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (start != NULL, NULL);

  end = g_date_copy (start);
  g_date_add_days (end, days > 0 ? days - 1 : 0);
  /* A 29 February birthday is celebrated on the 28th in other years. */
  g_snprintf (from, sizeof from, "%02u-%02u", g_date_get_month (start), g_date_get_day (start));
  g_snprintf (to, sizeof to, "%02u-%02u", g_date_get_month (end), g_date_get_day (end));
  if (g_str_equal (to, "02-28") && !g_date_is_leap_year (g_date_get_year (end)))
    g_strlcpy (to, "02-29", sizeof to);
  wraps = days >= 365 || g_strcmp0 (to, from) < 0;

  /* A window over New Year is read as its December part, then January. */
  contacts = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint part = 0; part < (wraps ? 2 : 1); part++)
    {
      g_autoptr(GPtrArray) found = NULL;
      g_autoptr(CrmCachedStmt) stmt = NULL;

      if (limit > 0 && contacts->len >= limit)
        break;
      stmt = crm_store_prepare (store, birthdays_sql, error);
      if (stmt == NULL)
        return NULL;
      crm_stmt_bind_text (stmt, 1, wraps && part == 1 ? "01-01" : from);
      crm_stmt_bind_text (stmt, 2, wraps && part == 0 ? "12-31" : to);
      sqlite3_bind_int64 (stmt, 3, limit > 0 ? (sqlite3_int64) (limit - contacts->len) : -1);
      found = load_ids (store, stmt, CRM_TYPE_CONTACT, error);
      if (found == NULL)
        return NULL;
      for (guint i = 0; i < found->len; i++)
        g_ptr_array_add (contacts, g_object_ref (g_ptr_array_index (found, i)));
    }

  g_ptr_array_sort_with_data (contacts, compare_next, (gpointer) today);
  return g_steal_pointer (&contacts);
}
