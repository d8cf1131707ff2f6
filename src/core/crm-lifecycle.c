/* crm-lifecycle.c: lifecycle and RFM, in bulk and for one contact after its purchases change */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "crm-lifecycle.h"
#include "crm-store-private.h"

const char *
crm_lifecycle_classify (gint64 n_purchases,
                        gint64 n_last_365_days,
                        gint64 days_since_last)
{
  if (n_purchases <= 0)
    return "lead";
  if (n_purchases == 1 && days_since_last < 90)
    return "first_time";
  if (days_since_last >= 365)
    return "churned";
  if (days_since_last >= 180)
    return "dormant";
  if (n_last_365_days >= 3)
    return "frequent";
  return "active";
}

const char *
crm_lifecycle_rfm_segment (int r,
                           int f,
                           int m)
{
  if (r >= 4 && f >= 4 && m >= 4)
    return "champions";
  if (r >= 3 && f >= 4)
    return "loyal";
  if (r >= 4 && f <= 1)
    return "new";
  if (r >= 3)
    return "potential";
  if (f >= 3)
    return "at_risk";
  if (r == 2)
    return "hibernating";
  return "lost";
}

int
crm_lifecycle_rfm_score (double        value,
                         const double  cuts[4],
                         gboolean      smaller_is_better)
{
  int above = 0;

  for (guint i = 0; i < 4; i++)
    if (value > cuts[i])
      above++;
  return smaller_is_better ? 5 - above : 1 + above;
}

/* SQL functions, so one C definition serves bulk and incremental updates.
 * Registered on the store's connection only; triggers never call them, so
 * other programs (the sqlite3 shell) can still write the database. */

static void
sql_lifecycle (sqlite3_context  *context,
               int               argc,
               sqlite3_value   **argv)
{
  sqlite3_result_text (context,
                       crm_lifecycle_classify (sqlite3_value_int64 (argv[0]),
                                               sqlite3_value_int64 (argv[1]),
                                               sqlite3_value_int64 (argv[2])),
                       -1, SQLITE_STATIC);
}

/* crm_rfm_score (value, cut1, cut2, cut3, cut4, smaller_is_better) */
static void
sql_rfm_score (sqlite3_context  *context,
               int               argc,
               sqlite3_value   **argv)
{
  double cuts[4];

  for (int i = 0; i < 5; i++)
    if (sqlite3_value_type (argv[i]) == SQLITE_NULL)
      {
        sqlite3_result_null (context);
        return;
      }
  for (int i = 0; i < 4; i++)
    cuts[i] = sqlite3_value_double (argv[i + 1]);
  sqlite3_result_int (context,
                      crm_lifecycle_rfm_score (sqlite3_value_double (argv[0]), cuts,
                                               sqlite3_value_int (argv[5]) != 0));
}

static void
sql_rfm_segment (sqlite3_context  *context,
                 int               argc,
                 sqlite3_value   **argv)
{
  for (int i = 0; i < 3; i++)
    if (sqlite3_value_type (argv[i]) == SQLITE_NULL)
      {
        sqlite3_result_null (context);
        return;
      }
  sqlite3_result_text (context,
                       crm_lifecycle_rfm_segment (sqlite3_value_int (argv[0]),
                                                  sqlite3_value_int (argv[1]),
                                                  sqlite3_value_int (argv[2])),
                       -1, SQLITE_STATIC);
}

static gboolean
register_functions (CrmStore  *store,
                    GError   **error)
{
  sqlite3 *db = crm_store_get_db (store);
  int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
  int rc;

  /* Idempotent: re-registering replaces the same functions. */
  rc = sqlite3_create_function (db, "crm_lifecycle", 3, flags, NULL, sql_lifecycle, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function (db, "crm_rfm_score", 6, flags, NULL, sql_rfm_score, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function (db, "crm_rfm_segment", 3, flags, NULL, sql_rfm_segment, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  return TRUE;
}

static char *
today (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

/* Per-contact purchase statistics as of ?1 (a date). Purchases after the
 * reference date do not exist yet for it. */
#define STATS_COLUMNS \
  "count(*) AS n, coalesce (sum (amount), 0) AS total, min (purchased_at) AS first, max (purchased_at) AS last,\n" \
  "  coalesce (sum (julianday (?1) - julianday (substr (purchased_at, 1, 10)) < 365), 0) AS n365,\n" \
  "  coalesce (sum (CASE WHEN julianday (?1) - julianday (substr (purchased_at, 1, 10)) < 365 THEN amount ELSE 0 END), 0) AS m365,\n" \
  "  CAST (julianday (?1) - julianday (substr (max (purchased_at), 1, 10)) AS INTEGER) AS days\n"

#define R_SCORE(s) "crm_rfm_score (" s ".days, ?2, ?3, ?4, ?5, 1)"
#define F_SCORE(s) "crm_rfm_score (" s ".n365, ?6, ?7, ?8, ?9, 0)"
#define M_SCORE(s) "crm_rfm_score (" s ".m365, ?10, ?11, ?12, ?13, 0)"
#define RFM_SCORES(s) R_SCORE (s) ", " F_SCORE (s) ", " M_SCORE (s)

static gboolean
load_cuts (CrmStore *store,
           double    cuts[12])
{
  g_autofree char *text = crm_store_get_meta (store, "rfm_cuts");
  g_auto(GStrv) parts = NULL;

  if (text == NULL)
    return FALSE;
  parts = g_strsplit (text, " ", -1);
  if (g_strv_length (parts) != 12)
    return FALSE;
  for (guint i = 0; i < 12; i++)
    cuts[i] = g_ascii_strtod (parts[i], NULL);
  return TRUE;
}

static void
bind_cuts (sqlite3_stmt *stmt,
           const double *cuts)
{
  for (int i = 0; i < 12; i++)
    if (cuts != NULL)
      sqlite3_bind_double (stmt, i + 2, cuts[i]);
    else
      sqlite3_bind_null (stmt, i + 2);
}

gboolean
crm_lifecycle_update_contact (CrmStore    *store,
                              const char  *contact_id,
                              GError     **error)
{
  static const char sql[] =
    "UPDATE contacts SET (purchase_count, total_spent, first_purchase_at, last_purchase_at,\n"
    "  lifecycle, rfm_r, rfm_f, rfm_m, rfm_segment) =\n"
    " (SELECT s.n, s.total, s.first, s.last, crm_lifecycle (s.n, s.n365, s.days),\n"
    "  " RFM_SCORES ("s") ",\n"
    "  crm_rfm_segment (" RFM_SCORES ("s") ")\n"
    "  FROM (SELECT " STATS_COLUMNS " FROM purchases\n"
    "        WHERE contact_id = ?14 AND deleted = 0 AND substr (purchased_at, 1, 10) <= ?1) s)\n"
    "WHERE id = ?14";
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autofree char *date = today ();
  double cuts[12];
  gboolean have_cuts;

  if (!register_functions (store, error))
    return FALSE;
  stmt = crm_store_prepare (store, sql, error);
  if (stmt == NULL)
    return FALSE;

  /* Quintiles from the last bulk run: scoring one contact must not need
   * a pass over everyone. */
  have_cuts = load_cuts (store, cuts);
  sqlite3_bind_text (stmt, 1, date, -1, SQLITE_STATIC);
  bind_cuts (stmt, have_cuts ? cuts : NULL);
  sqlite3_bind_text (stmt, 14, contact_id, -1, SQLITE_STATIC);
  if (!crm_store_step_done (store, stmt, error))
    return FALSE;
  crm_store_queue_changed (store, "contacts", contact_id);
  return TRUE;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static void
quintile_cuts (GArray *values,
               double *cuts)
{
  qsort (values->data, values->len, sizeof (double), compare_doubles);
  for (guint k = 0; k < 4; k++)
    {
      /* The value at the end of the k-th fifth: 20 % of values are ≤ cut 0. */
      guint index = (values->len * (k + 1)) / 5;

      if (index > 0)
        index--;
      cuts[k] = values->len ? g_array_index (values, double, index) : 0;
    }
}

gboolean
crm_lifecycle_recompute_all (CrmStore    *store,
                             const char  *reference_date,
                             GError     **error)
{
  static const char stats_sql[] =
    "CREATE TEMP TABLE IF NOT EXISTS crm_rfm_stats (contact_id TEXT PRIMARY KEY, n INTEGER,"
    " total INTEGER, first TEXT, last TEXT, n365 INTEGER, m365 INTEGER, days INTEGER)";
  static const char clear_sql[] = "DELETE FROM temp.crm_rfm_stats";
  static const char fill_sql[] =
    "INSERT INTO temp.crm_rfm_stats SELECT contact_id, " STATS_COLUMNS
    " FROM purchases WHERE deleted = 0 AND substr (purchased_at, 1, 10) <= ?1 GROUP BY contact_id";
  static const char values_sql[] = "SELECT days, n365, m365 FROM temp.crm_rfm_stats";
  static const char reset_sql[] =
    "UPDATE contacts SET purchase_count = 0, total_spent = 0, first_purchase_at = NULL,\n"
    "  last_purchase_at = NULL, lifecycle = 'lead', rfm_r = NULL, rfm_f = NULL, rfm_m = NULL,\n"
    "  rfm_segment = NULL\n"
    "WHERE id NOT IN (SELECT contact_id FROM temp.crm_rfm_stats)\n"
    "  AND (purchase_count <> 0 OR lifecycle <> 'lead' OR rfm_r IS NOT NULL OR last_purchase_at IS NOT NULL)";
  static const char update_sql[] =
    "UPDATE contacts SET purchase_count = s.n, total_spent = s.total, first_purchase_at = s.first,\n"
    "  last_purchase_at = s.last, lifecycle = crm_lifecycle (s.n, s.n365, s.days),\n"
    "  rfm_r = " R_SCORE ("s") ", rfm_f = " F_SCORE ("s") ", rfm_m = " M_SCORE ("s") ",\n"
    "  rfm_segment = crm_rfm_segment (" RFM_SCORES ("s") ")\n"
    "FROM temp.crm_rfm_stats s WHERE contacts.id = s.contact_id";
  g_autofree char *date = NULL;
  g_autofree char *normalized = NULL;
  g_autoptr(GArray) r = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) f = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) m = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GString) cuts_text = g_string_new (NULL);
  double cuts[12];
  int rc;

  if (reference_date != NULL)
    {
      GDate check;

      g_date_clear (&check, 1);
      g_date_set_parse (&check, reference_date);
      if (strlen (reference_date) != 10 || !g_date_valid (&check))
        {
          g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                       _("“%s” is not a date. Write the reference date as YYYY-MM-DD."),
                       reference_date);
          return FALSE;
        }
      date = g_strdup (reference_date);
    }
  else
    date = today ();

  if (!register_functions (store, error))
    return FALSE;
  if (!crm_store_begin (store, error))
    return FALSE;

  {
    g_autoptr(CrmCachedStmt) create = crm_store_prepare (store, stats_sql, error);

    if (create == NULL || !crm_store_step_done (store, create, error))
      goto fail;
  }
  {
    g_autoptr(CrmCachedStmt) clear = crm_store_prepare (store, clear_sql, error);
    g_autoptr(CrmCachedStmt) fill = NULL;

    if (clear == NULL || !crm_store_step_done (store, clear, error))
      goto fail;
    fill = crm_store_prepare (store, fill_sql, error);
    if (fill == NULL)
      goto fail;
    sqlite3_bind_text (fill, 1, date, -1, SQLITE_STATIC);
    if (!crm_store_step_done (store, fill, error))
      goto fail;
  }
  {
    g_autoptr(CrmCachedStmt) values = crm_store_prepare (store, values_sql, error);

    if (values == NULL)
      goto fail;
    while ((rc = sqlite3_step (values)) == SQLITE_ROW)
      {
        double v;

        v = sqlite3_column_double (values, 0);
        g_array_append_val (r, v);
        v = sqlite3_column_double (values, 1);
        g_array_append_val (f, v);
        v = sqlite3_column_double (values, 2);
        g_array_append_val (m, v);
      }
    if (rc != SQLITE_DONE)
      {
        crm_store_take_error (store, rc, error);
        goto fail;
      }
  }

  quintile_cuts (r, cuts);
  quintile_cuts (f, cuts + 4);
  quintile_cuts (m, cuts + 8);
  for (guint i = 0; i < 12; i++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (cuts_text, "%s%s", i ? " " : "", g_ascii_dtostr (buf, sizeof buf, cuts[i]));
    }

  {
    g_autoptr(CrmCachedStmt) reset = crm_store_prepare (store, reset_sql, error);
    g_autoptr(CrmCachedStmt) update = NULL;

    if (reset == NULL || !crm_store_step_done (store, reset, error))
      goto fail;
    update = crm_store_prepare (store, update_sql, error);
    if (update == NULL)
      goto fail;
    bind_cuts (update, r->len ? cuts : NULL);
    if (!crm_store_step_done (store, update, error))
      goto fail;
  }

  if (!crm_store_set_meta (store, "rfm_cuts", r->len ? cuts_text->str : NULL, error) ||
      !crm_store_set_meta (store, "derived_as_of", date, error))
    goto fail;

  crm_store_queue_changed (store, "contacts", NULL);
  return crm_store_commit (store, error);

fail:
  crm_store_rollback (store);
  return FALSE;
}
