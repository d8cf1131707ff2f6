/* crm-local-months.c: purchases summed per customer and local month, and cohort × month counts (migration 12) */

#include "config.h"

#include <string.h>

#include "crm-local-months.h"
#include "crm-store-private.h"

/* Cohort retention asks, for every customer, which local months they
 * bought in; over 5 million purchases that took seconds however it was
 * read. Three tables kept by triggers in the writing transaction answer
 * it from a few thousand rows:
 *
 *  - local_months: when each local month starts, as UTC text to the
 *    second, in the zone the summaries were built in (meta
 *    "local_months_zone" holds crm_local_months_zone_key()). A trigger
 *    finds a purchase's month there, so a writer in another zone (the
 *    sqlite3 shell, a sync pull) files it in the same month as the app.
 *  - purchase_months: per buyer and local month, the non-deleted orders.
 *  - cohort_months: per cohort (a buyer's first month) and month, how many
 *    of its buyers bought then, deleted contacts included (the analytics
 *    take those few away).
 *
 * A row of purchase_months appearing or going moves the buyer in
 * cohort_months; when it is the buyer's first month, all the buyer's
 * months move to the new cohort. When the app runs in another zone the
 * analytics read purchases as before, and crmctl recompute builds the
 * tables again for that zone. */

/* The local month (year × 12 + month - 1) of purchased_at @ts: a date
 * without a time is a local date already; a time is UTC, read to the
 * second as the analytics read it ("T" or " " before it). */
#define MONTH_OF(ts) \
  "(CASE WHEN substr (" ts ", 11, 1) IN ('T', ' ') THEN coalesce ((SELECT month FROM local_months" \
  " WHERE start_at <= substr (" ts ", 1, 10) || 'T' || substr (" ts ", 12, 8) ORDER BY start_at DESC LIMIT 1), -1)" \
  " ELSE CAST (substr (" ts ", 1, 4) AS INTEGER) * 12 + CAST (substr (" ts ", 6, 2) AS INTEGER) - 1 END)"

#define MONTHS_ADD_NEW \
  "  INSERT INTO purchase_months (contact_id, month, orders)\n" \
  "  SELECT NEW.contact_id, " MONTH_OF ("NEW.purchased_at") ", 1 WHERE NEW.deleted = 0\n" \
  "  ON CONFLICT (contact_id, month) DO UPDATE SET orders = orders + 1;\n"
#define MONTHS_REMOVE_OLD \
  "  UPDATE purchase_months SET orders = orders - 1\n" \
  "  WHERE contact_id = OLD.contact_id AND month = " MONTH_OF ("OLD.purchased_at") " AND OLD.deleted = 0;\n" \
  "  DELETE FROM purchase_months\n" \
  "  WHERE contact_id = OLD.contact_id AND month = " MONTH_OF ("OLD.purchased_at") " AND orders <= 0;\n"

/* One buyer's months (purchase_months of @contact, those matching @cond)
 * counted once more in cohort @cohort. */
#define COHORT_ADD(cohort, contact, cond) \
  "  INSERT INTO cohort_months (cohort, month, customers)\n" \
  "  SELECT " cohort ", month, 1 FROM purchase_months WHERE contact_id = " contact " AND " cond "\n" \
  "  ON CONFLICT (cohort, month) DO UPDATE SET customers = customers + 1;\n"
#define COHORT_REMOVE(cohort, cond) \
  "  UPDATE cohort_months SET customers = customers - 1 WHERE cohort = " cohort " AND " cond ";\n" \
  "  DELETE FROM cohort_months WHERE cohort = " cohort " AND customers <= 0;\n"
#define FIRST_MONTH(contact, cond) \
  "(SELECT min (month) FROM purchase_months WHERE contact_id = " contact " AND " cond ")"

static const char drop_sql[] =
  "DROP TRIGGER IF EXISTS purchases_months_insert;\n"
  "DROP TRIGGER IF EXISTS purchases_months_delete;\n"
  "DROP TRIGGER IF EXISTS purchases_months_update;\n"
  "DROP TRIGGER IF EXISTS purchase_months_insert_first;\n"
  "DROP TRIGGER IF EXISTS purchase_months_insert_later;\n"
  "DROP TRIGGER IF EXISTS purchase_months_delete_first;\n"
  "DROP TRIGGER IF EXISTS purchase_months_delete_later;\n"
  "DELETE FROM cohort_months;\n"
  "DELETE FROM purchase_months;\n"
  "DELETE FROM local_months;\n";

/* After local_months is filled. */
static const char fill_sql[] =
  "INSERT INTO purchase_months (contact_id, month, orders)\n"
  "  SELECT contact_id, " MONTH_OF ("purchased_at") ", count (*) FROM purchases WHERE deleted = 0 GROUP BY 1, 2;\n"
  "INSERT INTO cohort_months (cohort, month, customers)\n"
  "  SELECT cohort, month, count (*) FROM (\n"
  "    SELECT min (month) OVER (PARTITION BY contact_id) AS cohort, month FROM purchase_months)\n"
  "  GROUP BY 1, 2;\n"

  "CREATE TRIGGER purchases_months_insert AFTER INSERT ON purchases WHEN NEW.deleted = 0\n"
  "BEGIN\n"
  MONTHS_ADD_NEW
  "END;\n"
  "CREATE TRIGGER purchases_months_delete AFTER DELETE ON purchases WHEN OLD.deleted = 0\n"
  "BEGIN\n"
  MONTHS_REMOVE_OLD
  "END;\n"
  "CREATE TRIGGER purchases_months_update AFTER UPDATE OF contact_id, purchased_at, deleted ON purchases\n"
  "WHEN (OLD.deleted = 0 OR NEW.deleted = 0) AND (OLD.contact_id IS NOT NEW.contact_id\n"
  "  OR OLD.purchased_at IS NOT NEW.purchased_at OR OLD.deleted IS NOT NEW.deleted)\n"
  "BEGIN\n"
  MONTHS_REMOVE_OLD
  MONTHS_ADD_NEW
  "END;\n"

  /* A buyer's new month after their first: one more in their cohort. */
  "CREATE TRIGGER purchase_months_insert_later AFTER INSERT ON purchase_months\n"
  "WHEN EXISTS (SELECT 1 FROM purchase_months WHERE contact_id = NEW.contact_id AND month < NEW.month)\n"
  "BEGIN\n"
  COHORT_ADD (FIRST_MONTH ("NEW.contact_id", "1"), "NEW.contact_id", "month = NEW.month")
  "END;\n"
  /* A new first month: the buyer's other months leave the old cohort and
   * all come to the new one. */
  "CREATE TRIGGER purchase_months_insert_first AFTER INSERT ON purchase_months\n"
  "WHEN NOT EXISTS (SELECT 1 FROM purchase_months WHERE contact_id = NEW.contact_id AND month < NEW.month)\n"
  "BEGIN\n"
  COHORT_REMOVE (FIRST_MONTH ("NEW.contact_id", "month > NEW.month"),
                 "month IN (SELECT month FROM purchase_months WHERE contact_id = NEW.contact_id AND month > NEW.month)")
  COHORT_ADD ("NEW.month", "NEW.contact_id", "1")
  "END;\n"
  "CREATE TRIGGER purchase_months_delete_later AFTER DELETE ON purchase_months\n"
  "WHEN EXISTS (SELECT 1 FROM purchase_months WHERE contact_id = OLD.contact_id AND month < OLD.month)\n"
  "BEGIN\n"
  COHORT_REMOVE (FIRST_MONTH ("OLD.contact_id", "1"), "month = OLD.month")
  "END;\n"
  /* The first month gone: the months left move to the next one's cohort. */
  "CREATE TRIGGER purchase_months_delete_first AFTER DELETE ON purchase_months\n"
  "WHEN NOT EXISTS (SELECT 1 FROM purchase_months WHERE contact_id = OLD.contact_id AND month < OLD.month)\n"
  "BEGIN\n"
  COHORT_REMOVE ("OLD.month",
                 "(month = OLD.month OR month IN (SELECT month FROM purchase_months WHERE contact_id = OLD.contact_id))")
  COHORT_ADD (FIRST_MONTH ("OLD.contact_id", "1"), "OLD.contact_id", "1")
  "END;\n";

#undef MONTH_OF
#undef MONTHS_ADD_NEW
#undef MONTHS_REMOVE_OLD
#undef COHORT_ADD
#undef COHORT_REMOVE
#undef FIRST_MONTH

/* Days since 1970-01-01 of @year-@month-01. */
static gint64
epoch_day (int year,
           int month)
{
  GDate date, epoch;

  g_date_clear (&date, 1);
  g_date_clear (&epoch, 1);
  g_date_set_dmy (&date, 1, month, year);
  g_date_set_dmy (&epoch, 1, 1, 1970);
  return (gint64) g_date_get_julian (&date) - g_date_get_julian (&epoch);
}

/* The local date of UTC second @seconds, as days since 1970-01-01,
 * computed as the analytics compute it (crm_local_date()). */
static gint64
local_day_of (GTimeZone *zone,
              gint64     seconds)
{
  int interval = g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, seconds);
  gint64 local = seconds + (interval >= 0 ? g_time_zone_get_offset (zone, interval) : 0);

  return local / 86400 - (local < 0 && local % 86400 != 0);
}

/* The first UTC second whose local date is @day or later: local midnight,
 * or the end of a gap that swallowed it. */
static gint64
month_start (GTimeZone *zone,
             gint64     day)
{
  gint64 lo = day * 86400 - 18 * 3600, hi = day * 86400 + 18 * 3600;

  while (lo < hi)
    {
      gint64 mid = lo + (hi - lo) / 2;

      if (local_day_of (zone, mid) >= day)
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}

/* Every month start of @zone as "YYYY-MM-DDTHH:MM:SS", first to last. */
static GPtrArray *
month_starts (GTimeZone *zone)
{
  GPtrArray *starts = g_ptr_array_new_with_free_func (g_free);

  for (int m = CRM_LOCAL_MONTHS_FIRST; m <= CRM_LOCAL_MONTHS_LAST; m++)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (month_start (zone, epoch_day (m / 12, m % 12 + 1)));

      g_ptr_array_add (starts, g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S"));
    }
  return starts;
}

static GMutex key_lock;
static char *key_zone;
static char *key_value;

const char *
crm_local_months_zone_key (void)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_local ();
  const char *identifier = g_time_zone_get_identifier (zone);
  const char *key;

  g_mutex_lock (&key_lock);
  if (g_strcmp0 (identifier, key_zone) != 0)
    {
      g_autoptr(GPtrArray) starts = month_starts (zone);
      g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

      for (guint i = 0; i < starts->len; i++)
        g_checksum_update (sum, starts->pdata[i], -1);
      g_free (key_zone);
      g_free (key_value);
      key_zone = g_strdup (identifier);
      key_value = g_strdup (g_checksum_get_string (sum));
    }
  /* Keys are never freed once handed out: a zone change is rare. */
  key = g_intern_string (key_value);
  g_mutex_unlock (&key_lock);
  return key;
}

static gboolean
exec_sql (sqlite3     *db,
          const char  *sql,
          GError     **error)
{
  char *errmsg = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &errmsg);

  if (rc != SQLITE_OK)
    {
      crm_store_set_error (error, sqlite3_extended_errcode (db), NULL, errmsg);
      sqlite3_free (errmsg);
      return FALSE;
    }
  return TRUE;
}

static gboolean
step_done (sqlite3       *db,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      crm_store_set_error (error, sqlite3_extended_errcode (db), NULL, sqlite3_errmsg (db));
      return FALSE;
    }
  return TRUE;
}

gboolean
crm_local_months_fill (sqlite3  *db,
                       GError  **error)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_local ();
  g_autoptr(GPtrArray) starts = month_starts (zone);
  sqlite3_stmt *insert = NULL;
  sqlite3_stmt *meta = NULL;
  gboolean ok = TRUE;

  if (!exec_sql (db, drop_sql, error))
    return FALSE;

  sqlite3_prepare_v2 (db, "INSERT INTO local_months (start_at, month) VALUES (?, ?)", -1, &insert, NULL);
  for (guint i = 0; ok && i < starts->len; i++)
    {
      sqlite3_bind_text (insert, 1, starts->pdata[i], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (insert, 2, CRM_LOCAL_MONTHS_FIRST + i);
      ok = step_done (db, insert, error);
    }
  sqlite3_finalize (insert);
  if (!ok || !exec_sql (db, fill_sql, error))
    return FALSE;

  sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO meta (key, value) VALUES ('local_months_zone', ?)", -1, &meta, NULL);
  sqlite3_bind_text (meta, 1, crm_local_months_zone_key (), -1, SQLITE_STATIC);
  ok = step_done (db, meta, error);
  sqlite3_finalize (meta);
  return ok;
}

gboolean
crm_local_months_current (CrmStore *store)
{
  g_autofree char *built = crm_store_get_meta (store, "local_months_zone");

  return g_strcmp0 (built, crm_local_months_zone_key ()) == 0;
}
