/* crm-contact-list-model.c: contacts as a GListModel that holds row ids and loads records when asked */

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include "crm-contact.h"
#include "crm-contact-list-model.h"
#include "crm-contact-search.h"
#include "crm-segment.h"
#include "crm-store-private.h"

/* A million contacts cost 8 MB of row ids; records exist only for the rows
 * a view has bound, plus a small cache so scrolling back is cheap. */
#define CACHE_SIZE 512

/* Lists up to this many rows are read at once. Longer ones are read in a
 * thread on a connection of its own (WAL lets it read beside the store), so
 * the window keeps drawing: a million rows take most of a second. */
#define SYNC_ROWS 20000

/* While a long list loads after the view changed (sort, filter), its first
 * rows show at once; the rest follow when the thread is done. */
#define FIRST_PAGE 200

/* Search-as-you-type shows the best matches; the total is still reported. */
#define SEARCH_LIMIT 10000

struct _CrmContactListModel
{
  GObject         parent_instance;

  CrmStore       *store;
  char           *query;
  CrmContactSort  sort;
  gboolean        descending;
  char           *filters[CRM_CONTACT_N_FILTERS];
  char           *reference_date; /* NULL: today */
  char           *segment_members; /* JSON array of the segment filter's rids */

  GArray         *rids;        /* gint64 row ids, in list order */
  guint           total;       /* matches, before SEARCH_LIMIT */
  gboolean        total_is_capped; /* the search stopped counting at its cap */
  GHashTable     *cache;       /* rid → CrmContact */
  GQueue          cache_order; /* rids, oldest first */
  GError         *error;
  guint           refresh_idle;
  guint           sync_rows;       /* SYNC_ROWS; smaller in tests */
  guint           refresh_serial;  /* the latest refresh; older results are dropped */
  GCancellable   *refresh_cancellable;
  gboolean        loading;
  gboolean        started;     /* FALSE: a deferred model that has read nothing yet */
  gboolean        deferred;    /* construct-only: wait for crm_contact_list_model_start() */
};

typedef struct
{
  char       *path;
  const char *sql;
  char       *filters[CRM_CONTACT_N_FILTERS];
  char       *reference_date;
  char       *segment_members;
  guint       serial;
  GWeakRef    model;    /* weak: a closed list must not wait for its thread */
} RefreshJob;

static void list_model_iface_init (GListModelInterface *iface);
static void cancel_refresh        (CrmContactListModel *self);
static void crm_contact_facet_free (CrmContactFacet    *facet);
static char *segment_members_json (CrmStore            *store,
                                   const char          *id_or_name,
                                   const char          *reference_date,
                                   GError             **error);

G_DEFINE_FINAL_TYPE_WITH_CODE (CrmContactListModel, crm_contact_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_QUERY,
  PROP_TOTAL,
  PROP_N_ITEMS,
  PROP_N_FILTERS,
  PROP_LOADING,
  PROP_DEFERRED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Every filter is a parameter of the same static statement: a NULL
 * parameter switches its condition off, so no SQL is ever built from what a
 * person typed or picked. ?9 is the reference date for the age bands; the
 * owner "" means contacts without an owner. */
#define AGE(c) \
  "(CAST (substr (?9, 1, 4) AS INTEGER) - CAST (substr (" c ", 1, 4) AS INTEGER)" \
  " - (substr (?9, 6) < substr (" c ", 6)))"
#define AGE_BAND \
  "(CASE WHEN contacts.birthday IS NULL THEN NULL" \
  " WHEN " AGE ("contacts.birthday") " < 25 THEN 'under_25'" \
  " WHEN " AGE ("contacts.birthday") " < 35 THEN '25_34'" \
  " WHEN " AGE ("contacts.birthday") " < 45 THEN '35_44'" \
  " WHEN " AGE ("contacts.birthday") " < 55 THEN '45_54'" \
  " ELSE '55_plus' END)"
#define FILTER_WHERE \
  " contacts.deleted = 0" \
  " AND (?1 IS NULL OR coalesce (contacts.lifecycle_override, contacts.lifecycle) = ?1)" \
  " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM json_each (contacts.tags) AS tag WHERE tag.value = ?2))" \
  " AND (?3 IS NULL OR contacts.owner_id IS nullif (?3, ''))" \
  " AND (?4 IS NULL OR contacts.province = ?4)" \
  " AND (?5 IS NULL OR contacts.gender = ?5)" \
  " AND (?6 IS NULL OR " AGE_BAND " = ?6)" \
  " AND (?7 IS NULL OR contacts.rfm_segment = ?7)" \
  " AND (?8 IS NULL OR contacts.kind = ?8)" \
  " AND (?11 IS NULL OR contacts.rid IN (SELECT value FROM json_each (?11)))"
#define SELECT_RIDS "SELECT rid FROM contacts WHERE" FILTER_WHERE

/* NULLs sort last in both directions; rid breaks ties so the order is total
 * and a refresh can be diffed against the previous one. */
static const char * const sort_sql[][2] = {
  [CRM_CONTACT_SORT_NAME] = {
    SELECT_RIDS " ORDER BY name_sort, rid",
    SELECT_RIDS " ORDER BY name_sort DESC, rid DESC",
  },
  [CRM_CONTACT_SORT_CREATED] = {
    SELECT_RIDS " ORDER BY created_at, rid",
    SELECT_RIDS " ORDER BY created_at DESC, rid DESC",
  },
  [CRM_CONTACT_SORT_UPDATED] = {
    SELECT_RIDS " ORDER BY updated_at, rid",
    SELECT_RIDS " ORDER BY updated_at DESC, rid DESC",
  },
  [CRM_CONTACT_SORT_LAST_PURCHASE] = {
    SELECT_RIDS " ORDER BY last_purchase_at IS NULL, last_purchase_at, rid",
    SELECT_RIDS " ORDER BY last_purchase_at IS NULL, last_purchase_at DESC, rid DESC",
  },
  [CRM_CONTACT_SORT_TOTAL_SPENT] = {
    SELECT_RIDS " ORDER BY total_spent, rid",
    SELECT_RIDS " ORDER BY total_spent DESC, rid DESC",
  },
  [CRM_CONTACT_SORT_PURCHASE_COUNT] = {
    SELECT_RIDS " ORDER BY purchase_count, rid",
    SELECT_RIDS " ORDER BY purchase_count DESC, rid DESC",
  },
  [CRM_CONTACT_SORT_REGION] = {
    SELECT_RIDS " ORDER BY province IS NULL, province, city, name_sort, rid",
    SELECT_RIDS " ORDER BY province IS NULL, province DESC, city DESC, name_sort, rid",
  },
  [CRM_CONTACT_SORT_LIFECYCLE] = {
    SELECT_RIDS " ORDER BY coalesce (lifecycle_override, lifecycle), name_sort, rid",
    SELECT_RIDS " ORDER BY coalesce (lifecycle_override, lifecycle) DESC, name_sort, rid",
  },
};

/* Whether a search hit passes the filters (?10 is its rid). */
static const char segment_count_sql[] =
  "SELECT count (*) FROM contacts WHERE" FILTER_WHERE;

static const char filter_rid_sql[] =
  "SELECT 1 FROM contacts WHERE rid = ?10 AND" FILTER_WHERE;

/* Per filter: each value with its count among the contacts that pass the
 * other filters; the filter's own parameter is left NULL. */
static const char * const facet_sql[CRM_CONTACT_N_FILTERS] = {
  [CRM_CONTACT_FILTER_LIFECYCLE] =
    "SELECT coalesce (lifecycle_override, lifecycle), NULL, count (*) FROM contacts"
    " WHERE" FILTER_WHERE " GROUP BY 1 ORDER BY 3 DESC, 1",
  [CRM_CONTACT_FILTER_TAG] =
    "SELECT facet.value, NULL, count (*) FROM contacts, json_each (contacts.tags) AS facet"
    " WHERE" FILTER_WHERE " GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT 100",
  [CRM_CONTACT_FILTER_OWNER] =
    "SELECT coalesce (contacts.owner_id, ''),"
    " (SELECT coalesce (users.display_name, users.username) FROM users WHERE users.id = contacts.owner_id),"
    " count (*) FROM contacts WHERE" FILTER_WHERE " GROUP BY contacts.owner_id ORDER BY 3 DESC, 2",
  [CRM_CONTACT_FILTER_PROVINCE] =
    "SELECT province, NULL, count (*) FROM contacts"
    " WHERE province IS NOT NULL AND" FILTER_WHERE " GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT 100",
  [CRM_CONTACT_FILTER_GENDER] =
    "SELECT gender, NULL, count (*) FROM contacts"
    " WHERE gender IS NOT NULL AND" FILTER_WHERE " GROUP BY 1 ORDER BY 3 DESC, 1",
  [CRM_CONTACT_FILTER_AGE_BAND] =
    "SELECT " AGE_BAND ", NULL, count (*) FROM contacts"
    " WHERE birthday IS NOT NULL AND" FILTER_WHERE " GROUP BY 1 ORDER BY 1",
  [CRM_CONTACT_FILTER_RFM_SEGMENT] =
    "SELECT rfm_segment, NULL, count (*) FROM contacts"
    " WHERE rfm_segment IS NOT NULL AND" FILTER_WHERE " GROUP BY 1 ORDER BY 3 DESC, 1",
  [CRM_CONTACT_FILTER_KIND] =
    "SELECT kind, NULL, count (*) FROM contacts"
    " WHERE" FILTER_WHERE " GROUP BY 1 ORDER BY 3 DESC, 1",
};

static const char rid_for_id_sql[] = "SELECT rid FROM contacts WHERE id = ?";
static const char id_for_rid_sql[] = "SELECT id FROM contacts WHERE rid = ?";

/* Binds ?1 … ?9 and ?11 of FILTER_WHERE, leaving @except (a filter, or
 * CRM_CONTACT_N_FILTERS for none) unset. The segment filter binds the
 * JSON array of its members' rids (@segment_members), not its id. */
static void
bind_filter_values (sqlite3_stmt     *stmt,
                    char * const     *filters,
                    const char       *segment_members,
                    const char       *reference_date,
                    CrmContactFilter  except)
{
  g_autofree char *today = NULL;

  for (guint i = 0; i < CRM_CONTACT_N_FILTERS; i++)
    {
      if (i == CRM_CONTACT_FILTER_SEGMENT)
        crm_stmt_bind_text (stmt, 11, i == except || filters[i] == NULL ? NULL : segment_members);
      else
        crm_stmt_bind_text (stmt, i + 1, i == except ? NULL : filters[i]);
    }

  if (reference_date == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      today = g_date_time_format (now, "%Y-%m-%d");
    }
  crm_stmt_bind_text (stmt, 9, reference_date != NULL ? reference_date : today);
}

static void
bind_filters (CrmContactListModel *self,
              sqlite3_stmt        *stmt,
              CrmContactFilter     except)
{
  bind_filter_values (stmt, self->filters, self->segment_members, self->reference_date, except);
}

static gboolean
has_filters (CrmContactListModel *self)
{
  for (guint i = 0; i < CRM_CONTACT_N_FILTERS; i++)
    if (self->filters[i] != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
passes_filters (CrmContactListModel  *self,
                gint64                rid,
                GError              **error)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store, filter_rid_sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  bind_filters (self, stmt, CRM_CONTACT_N_FILTERS);
  sqlite3_bind_int64 (stmt, 10, rid);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    crm_store_take_error (self->store, rc, error);
  return rc == SQLITE_ROW;
}

static void
cache_clear (CrmContactListModel *self)
{
  g_hash_table_remove_all (self->cache);
  g_queue_clear_full (&self->cache_order, g_free);
}

static void
cache_insert (CrmContactListModel *self,
              gint64               rid,
              CrmContact          *contact)
{
  gint64 *key = g_memdup2 (&rid, sizeof rid);

  if (self->cache_order.length >= CACHE_SIZE)
    {
      g_autofree gint64 *oldest = g_queue_pop_head (&self->cache_order);
      g_hash_table_remove (self->cache, oldest);
    }

  g_hash_table_replace (self->cache, key, g_object_ref (contact));
  g_queue_push_tail (&self->cache_order, g_memdup2 (&rid, sizeof rid));
}

static gboolean
lookup_rid (CrmContactListModel  *self,
            const char           *id,
            gint64               *out_rid,
            GError              **error)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store, rid_for_id_sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  crm_stmt_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_rid = sqlite3_column_int64 (stmt, 0);
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    crm_store_take_error (self->store, rc, error);
  return FALSE;
}

/* Reads at most @max_rows rows (0: all); *@out_complete says whether that
 * was the whole list. */
static GArray *
query_all (CrmContactListModel  *self,
           guint                 max_rows,
           gboolean             *out_complete,
           guint                *out_total,
           GError              **error)
{
  g_autoptr(GArray) rids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(CrmCachedStmt) stmt = NULL;
  int rc;

  stmt = crm_store_prepare (self->store, sort_sql[self->sort][self->descending ? 1 : 0], error);
  if (stmt == NULL)
    return NULL;

  bind_filters (self, stmt, CRM_CONTACT_N_FILTERS);
  *out_complete = TRUE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 rid = sqlite3_column_int64 (stmt, 0);

      if (max_rows > 0 && rids->len == max_rows)
        {
          *out_complete = FALSE;
          rc = SQLITE_DONE;
          break;
        }
      g_array_append_val (rids, rid);
    }

  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (self->store, rc, error);
      return NULL;
    }

  *out_total = rids->len;
  return g_steal_pointer (&rids);
}

/* Search results keep their rank order (exact, prefix, substring). With
 * filters, the total counts the hits that pass them among those fetched. */
static GArray *
query_search (CrmContactListModel  *self,
              guint                *out_total,
              gboolean             *out_total_is_capped,
              GError              **error)
{
  g_autoptr(GArray) hits = NULL;
  g_autoptr(GArray) rids = NULL;

  hits = crm_contact_search_rids (self->store, self->query, SEARCH_LIMIT, 0,
                                  out_total, out_total_is_capped, error);
  if (hits == NULL || !has_filters (self))
    return g_steal_pointer (&hits);

  /* With filters, the total counts the hits that pass them among those
   * fetched. */
  rids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), hits->len);
  for (guint i = 0; i < hits->len; i++)
    {
      g_autoptr(GError) local_error = NULL;
      gint64 rid = g_array_index (hits, gint64, i);

      if (passes_filters (self, rid, &local_error))
        g_array_append_val (rids, rid);
      else if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  *out_total = rids->len;
  *out_total_is_capped = FALSE;
  return g_steal_pointer (&rids);
}

static void
set_error (CrmContactListModel *self,
           const GError        *error)
{
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
}

/* Replaces the rows and announces only the span that differs, so a view
 * keeps its scroll position and selection across an insert or delete. */
static void
replace_rows (CrmContactListModel *self,
              GArray              *rids,
              guint                total)
{
  const gint64 *old = (const gint64 *) self->rids->data;
  const gint64 *new = (const gint64 *) rids->data;
  guint old_n = self->rids->len;
  guint new_n = rids->len;
  guint prefix = 0, suffix = 0;
  gboolean total_changed = total != self->total;

  while (prefix < old_n && prefix < new_n && old[prefix] == new[prefix])
    prefix++;
  while (suffix < old_n - prefix && suffix < new_n - prefix &&
         old[old_n - 1 - suffix] == new[new_n - 1 - suffix])
    suffix++;

  g_array_unref (self->rids);
  self->rids = g_array_ref (rids);
  self->total = total;

  if (prefix != old_n || prefix != new_n)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix,
                                old_n - prefix - suffix, new_n - prefix - suffix);
  if (old_n != new_n)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  if (total_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
}

gboolean
crm_contact_list_model_refresh (CrmContactListModel  *self,
                                GError              **error)
{
  g_autoptr(GArray) rids = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean complete;
  gboolean capped = FALSE;
  guint total = 0;

  g_return_val_if_fail (CRM_IS_CONTACT_LIST_MODEL (self), FALSE);

  cancel_refresh (self);
  self->started = TRUE;

  if (self->query != NULL && *self->query != '\0')
    rids = query_search (self, &total, &capped, &local_error);
  else
    rids = query_all (self, 0, &complete, &total, &local_error);

  set_error (self, local_error);
  if (rids == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  self->total_is_capped = capped;
  replace_rows (self, rids, total);
  return TRUE;
}

static void
refresh_job_free (RefreshJob *job)
{
  g_free (job->path);
  for (guint i = 0; i < CRM_CONTACT_N_FILTERS; i++)
    g_free (job->filters[i]);
  g_free (job->reference_date);
  g_free (job->segment_members);
  g_weak_ref_clear (&job->model);
  g_free (job);
}

static void
set_loading (CrmContactListModel *self,
             gboolean             loading)
{
  if (self->loading == loading)
    return;

  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* Drops the result of a refresh still running: a newer one wins. */
static void
cancel_refresh (CrmContactListModel *self)
{
  self->refresh_serial++;
  g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  set_loading (self, FALSE);
}

static void
refresh_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RefreshJob *job = task_data;
  g_autoptr(GArray) rids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_open_v2 (job->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db, job->sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      bind_filter_values (stmt, job->filters, job->segment_members, job->reference_date, CRM_CONTACT_N_FILTERS);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 rid = sqlite3_column_int64 (stmt, 0);

          g_array_append_val (rids, rid);
          if ((rids->len & 0xffff) == 0 && g_cancellable_is_cancelled (cancellable))
            break;
        }
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, NULL))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
  else if (rc != SQLITE_DONE)
    g_task_return_new_error (task, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
                             _("The contact list could not be read: %s."),
                             db != NULL ? sqlite3_errmsg (db) : g_strerror (ENOMEM));
  else
    g_task_return_pointer (task, g_steal_pointer (&rids), (GDestroyNotify) g_array_unref);

  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
refresh_done (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  RefreshJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(CrmContactListModel) self = g_weak_ref_get (&job->model);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rids = g_task_propagate_pointer (G_TASK (result), &error);

  if (self == NULL || job->serial != self->refresh_serial)
    return;

  g_clear_object (&self->refresh_cancellable);
  set_loading (self, FALSE);
  set_error (self, error);
  if (rids != NULL)
    replace_rows (self, rids, rids->len);
}

/* Refreshes now when the list is short or searched, else reads it in a
 * thread and keeps showing the current rows meanwhile (or, when the view
 * changed, its first page). TRUE when the refresh is already complete. */
static gboolean
refresh_soon (CrmContactListModel *self,
              gboolean             view_changed)
{
  g_autoptr(GArray) rids = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  gboolean complete = TRUE;
  RefreshJob *job;
  guint total = 0;

  /* Not started: sort, filters and query are only remembered. */
  if (!self->started)
    return TRUE;

  if (self->query != NULL && *self->query != '\0')
    {
      crm_contact_list_model_refresh (self, NULL);
      return TRUE;
    }

  cancel_refresh (self);
  rids = query_all (self, self->sync_rows, &complete, &total, &error);
  set_error (self, error);
  if (rids == NULL)
    return TRUE;

  self->total_is_capped = FALSE;
  if (complete)
    {
      replace_rows (self, rids, total);
      return TRUE;
    }

  if (view_changed || self->rids->len == 0)
    {
      g_array_set_size (rids, MIN (rids->len, FIRST_PAGE));
      replace_rows (self, rids, rids->len);
    }

  job = g_new0 (RefreshJob, 1);
  job->path = g_strdup (crm_store_get_path (self->store));
  job->sql = sort_sql[self->sort][self->descending ? 1 : 0];
  for (guint i = 0; i < CRM_CONTACT_N_FILTERS; i++)
    job->filters[i] = g_strdup (self->filters[i]);
  job->reference_date = g_strdup (self->reference_date);
  job->segment_members = g_strdup (self->segment_members);
  job->serial = self->refresh_serial;
  g_weak_ref_init (&job->model, self);

  self->refresh_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->refresh_cancellable, refresh_done, NULL);
  g_task_set_source_tag (task, refresh_soon);
  g_task_set_task_data (task, job, (GDestroyNotify) refresh_job_free);
  g_task_run_in_thread (task, refresh_thread);
  set_loading (self, TRUE);
  return FALSE;
}

static gboolean
refresh_idle_cb (gpointer user_data)
{
  CrmContactListModel *self = user_data;

  self->refresh_idle = 0;
  refresh_soon (self, FALSE);
  return G_SOURCE_REMOVE;
}

static void
on_store_changed (CrmContactListModel *self,
                  const char          *table,
                  const char          *id,
                  CrmStore            *store)
{
  gint64 rid;
  guint position;

  /* A restore or other whole-database change comes without a table. */
  if (table == NULL)
    {
      cache_clear (self);
      refresh_soon (self, FALSE);
      return;
    }

  if (!g_str_equal (table, "contacts"))
    return;

  /* An edited row that keeps its place only needs its record reloaded. */
  if (id != NULL && lookup_rid (self, id, &rid, NULL))
    {
      g_autofree gint64 *key = g_memdup2 (&rid, sizeof rid);

      g_hash_table_remove (self->cache, key);
    }
  else
    cache_clear (self);

  position = id != NULL ? crm_contact_list_model_find (self, id) : G_MAXUINT;
  if (refresh_soon (self, FALSE))
    {
      if (position != G_MAXUINT && position == crm_contact_list_model_find (self, id))
        g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
    }
  else if (position != G_MAXUINT)
    {
      /* The row shows its new values now; a move arrives with the thread. */
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
    }
}

static GType
crm_contact_list_model_get_item_type (GListModel *model)
{
  return CRM_TYPE_CONTACT;
}

static guint
crm_contact_list_model_get_n_items (GListModel *model)
{
  CrmContactListModel *self = CRM_CONTACT_LIST_MODEL (model);

  return self->rids->len;
}

static gpointer
crm_contact_list_model_get_item (GListModel *model,
                                 guint       position)
{
  CrmContactListModel *self = CRM_CONTACT_LIST_MODEL (model);
  g_autoptr(CrmContact) contact = NULL;
  g_autoptr(GError) error = NULL;
  CrmContact *cached;
  gint64 rid;

  if (position >= self->rids->len)
    return NULL;

  rid = g_array_index (self->rids, gint64, position);
  cached = g_hash_table_lookup (self->cache, &rid);
  if (cached != NULL)
    return g_object_ref (cached);

  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store, id_for_rid_sql, &error);

    if (stmt != NULL)
      {
        sqlite3_bind_int64 (stmt, 1, rid);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          contact = crm_store_get (self->store, CRM_TYPE_CONTACT,
                                   (const char *) sqlite3_column_text (stmt, 0), &error);
      }
  }

  if (contact == NULL)
    {
      /* Another process removed the row since the last refresh: show an
       * empty row now and catch up from the idle loop. */
      if (error != NULL)
        g_debug ("Contact row %" G_GINT64_FORMAT " could not be loaded: %s", rid, error->message);
      if (self->refresh_idle == 0)
        self->refresh_idle = g_idle_add (refresh_idle_cb, self);
      return g_object_new (CRM_TYPE_CONTACT, NULL);
    }

  cache_insert (self, rid, contact);
  return g_steal_pointer (&contact);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = crm_contact_list_model_get_item_type;
  iface->get_n_items = crm_contact_list_model_get_n_items;
  iface->get_item = crm_contact_list_model_get_item;
}

static void
crm_contact_list_model_constructed (GObject *object)
{
  CrmContactListModel *self = (CrmContactListModel *)object;

  G_OBJECT_CLASS (crm_contact_list_model_parent_class)->constructed (object);

  g_signal_connect_object (self->store, "changed",
                           G_CALLBACK (on_store_changed), self, G_CONNECT_SWAPPED);
  if (!self->deferred)
    crm_contact_list_model_start (self);
}

static void
crm_contact_list_model_finalize (GObject *object)
{
  CrmContactListModel *self = (CrmContactListModel *)object;

  g_clear_handle_id (&self->refresh_idle, g_source_remove);
  g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  cache_clear (self);
  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_clear_pointer (&self->rids, g_array_unref);
  g_clear_pointer (&self->query, g_free);
  for (guint i = 0; i < CRM_CONTACT_N_FILTERS; i++)
    g_clear_pointer (&self->filters[i], g_free);
  g_clear_pointer (&self->reference_date, g_free);
  g_clear_pointer (&self->segment_members, g_free);
  g_clear_error (&self->error);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (crm_contact_list_model_parent_class)->finalize (object);
}

static void
crm_contact_list_model_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  CrmContactListModel *self = CRM_CONTACT_LIST_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_QUERY:
      g_value_set_string (value, self->query);
      break;

    case PROP_TOTAL:
      g_value_set_uint (value, self->total);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->rids->len);
      break;

    case PROP_N_FILTERS:
      g_value_set_uint (value, crm_contact_list_model_get_n_filters (self));
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_DEFERRED:
      g_value_set_boolean (value, self->deferred);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_contact_list_model_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  CrmContactListModel *self = CRM_CONTACT_LIST_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_QUERY:
      crm_contact_list_model_set_query (self, g_value_get_string (value));
      break;

    case PROP_DEFERRED:
      self->deferred = g_value_get_boolean (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_contact_list_model_class_init (CrmContactListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = crm_contact_list_model_constructed;
  object_class->finalize = crm_contact_list_model_finalize;
  object_class->get_property = crm_contact_list_model_get_property;
  object_class->set_property = crm_contact_list_model_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CRM_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_QUERY] =
    g_param_spec_string ("query", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TOTAL] =
    g_param_spec_uint ("total", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_FILTERS] =
    g_param_spec_uint ("n-filters", NULL, NULL,
                       0, CRM_CONTACT_N_FILTERS, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  /* TRUE while a long list is read in a thread: the rows shown may be
   * only the first page, or the previous contents. */
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  /* TRUE: read nothing until crm_contact_list_model_start(), so a window
   * can show its first frame before the list is read. */
  properties[PROP_DEFERRED] =
    g_param_spec_boolean ("deferred", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crm_contact_list_model_init (CrmContactListModel *self)
{
  self->rids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  g_queue_init (&self->cache_order);
  self->sync_rows = SYNC_ROWS;
}

CrmContactListModel *
crm_contact_list_model_new (CrmStore *store)
{
  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  return g_object_new (CRM_TYPE_CONTACT_LIST_MODEL,
                       "store", store,
                       NULL);
}

/* A model that reads nothing (and has no rows) until
 * crm_contact_list_model_start(); sort, filters and query set before then
 * take effect with that first read. */
CrmContactListModel *
crm_contact_list_model_new_deferred (CrmStore *store)
{
  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  return g_object_new (CRM_TYPE_CONTACT_LIST_MODEL,
                       "store", store,
                       "deferred", TRUE,
                       NULL);
}

/* Reads the list for the first time; does nothing once it has. */
void
crm_contact_list_model_start (CrmContactListModel *self)
{
  g_return_if_fail (CRM_IS_CONTACT_LIST_MODEL (self));

  if (self->started)
    return;

  self->started = TRUE;
  refresh_soon (self, TRUE);
}

gboolean
crm_contact_list_model_get_started (CrmContactListModel *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_LIST_MODEL (self), FALSE);

  return self->started;
}

CrmStore *
crm_contact_list_model_get_store (CrmContactListModel *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_LIST_MODEL (self), NULL);

  return self->store;
}

const char *
crm_contact_list_model_get_query (CrmContactListModel *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_LIST_MODEL (self), NULL);

  return self->query;
}

void
crm_contact_list_model_set_query (CrmContactListModel *self,
                                  const char          *query)
{
  g_autofree char *stripped = NULL;

  g_return_if_fail (CRM_IS_CONTACT_LIST_MODEL (self));

  stripped = query ? g_strstrip (g_strdup (query)) : NULL;
  if (stripped != NULL && *stripped == '\0')
    g_clear_pointer (&stripped, g_free);

  if (g_strcmp0 (stripped, self->query) == 0)
    return;

  g_free (self->query);
  self->query = g_steal_pointer (&stripped);
  refresh_soon (self, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUERY]);
}

CrmContactSort
crm_contact_list_model_get_sort (CrmContactListModel *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_LIST_MODEL (self), CRM_CONTACT_SORT_NAME);

  return self->sort;
}

gboolean
crm_contact_list_model_get_descending (CrmContactListModel *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_LIST_MODEL (self), FALSE);

  return self->descending;
}

void
crm_contact_list_model_set_sort (CrmContactListModel *self,
                                 CrmContactSort       sort,
                                 gboolean             descending)
{
  g_return_if_fail (CRM_IS_CONTACT_LIST_MODEL (self));
  g_return_if_fail (sort < G_N_ELEMENTS (sort_sql));

  descending = !!descending;
  if (self->sort == sort && self->descending == descending)
    return;

  self->sort = sort;
  self->descending = descending;
  refresh_soon (self, TRUE);
}

/* Matches before the search limit; the number of rows when not searching. */
guint
crm_contact_list_model_get_total (CrmContactListModel *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_LIST_MODEL (self), 0);

  return self->total;
}

/* The position of contact @id, or G_MAXUINT when it is not in the list. */
guint
crm_contact_list_model_find (CrmContactListModel *self,
                             const char          *id)
{
  gint64 rid;

  g_return_val_if_fail (CRM_IS_CONTACT_LIST_MODEL (self), G_MAXUINT);

  if (id == NULL || !lookup_rid (self, id, &rid, NULL))
    return G_MAXUINT;

  for (guint i = 0; i < self->rids->len; i++)
    if (g_array_index (self->rids, gint64, i) == rid)
      return i;

  return G_MAXUINT;
}

/* Why the last refresh failed, or NULL. */
const GError *
crm_contact_list_model_get_error (CrmContactListModel *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_LIST_MODEL (self), NULL);

  return self->error;
}

/* Shows only contacts whose @filter is @value (NULL or "" switches the
 * filter off, except for the owner, where "" means no owner). Filters
 * combine with each other and with the search. */
void
crm_contact_list_model_set_filter (CrmContactListModel *self,
                                   CrmContactFilter     filter,
                                   const char          *value)
{
  g_return_if_fail (CRM_IS_CONTACT_LIST_MODEL (self));
  g_return_if_fail (filter < CRM_CONTACT_N_FILTERS);

  if (value != NULL && *value == '\0' && filter != CRM_CONTACT_FILTER_OWNER)
    value = NULL;
  if (g_strcmp0 (value, self->filters[filter]) == 0)
    return;

  g_free (self->filters[filter]);
  self->filters[filter] = g_strdup (value);
  if (filter == CRM_CONTACT_FILTER_SEGMENT)
    {
      g_autoptr(GError) error = NULL;

      g_clear_pointer (&self->segment_members, g_free);
      if (value != NULL && (self->segment_members = segment_members_json (self->store, value, self->reference_date, &error)) == NULL)
        {
          /* A segment that is gone or broken shows no one, and says why. */
          self->segment_members = g_strdup ("[]");
          set_error (self, error);
        }
    }
  refresh_soon (self, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FILTERS]);
}

const char *
crm_contact_list_model_get_filter (CrmContactListModel *self,
                                   CrmContactFilter     filter)
{
  g_return_val_if_fail (CRM_IS_CONTACT_LIST_MODEL (self), NULL);
  g_return_val_if_fail (filter < CRM_CONTACT_N_FILTERS, NULL);

  return self->filters[filter];
}

guint
crm_contact_list_model_get_n_filters (CrmContactListModel *self)
{
  guint n = 0;

  g_return_val_if_fail (CRM_IS_CONTACT_LIST_MODEL (self), 0);

  for (guint i = 0; i < CRM_CONTACT_N_FILTERS; i++)
    if (self->filters[i] != NULL)
      n++;
  return n;
}

/* One refresh for all of them, not one per filter. */
void
crm_contact_list_model_clear_filters (CrmContactListModel *self)
{
  g_return_if_fail (CRM_IS_CONTACT_LIST_MODEL (self));

  if (!has_filters (self))
    return;

  for (guint i = 0; i < CRM_CONTACT_N_FILTERS; i++)
    g_clear_pointer (&self->filters[i], g_free);
  refresh_soon (self, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FILTERS]);
}

/* The day ages are counted on ("YYYY-MM-DD"); NULL for today. For tests
 * and reports that look at a fixed date. */
void
crm_contact_list_model_set_reference_date (CrmContactListModel *self,
                                           const char          *date)
{
  g_return_if_fail (CRM_IS_CONTACT_LIST_MODEL (self));

  if (g_strcmp0 (date, self->reference_date) == 0)
    return;

  g_free (self->reference_date);
  self->reference_date = g_strdup (date);
  if (self->filters[CRM_CONTACT_FILTER_AGE_BAND] != NULL)
    refresh_soon (self, TRUE);
}

/* The rids of the segment @id_or_name's members as a JSON array. */
static char *
segment_members_json (CrmStore    *store,
                      const char  *id_or_name,
                      const char  *reference_date,
                      GError     **error)
{
  g_autoptr(CrmSegmentInfo) info = crm_segment_find (store, id_or_name, error);
  g_autoptr(GArray) rids = NULL;
  GString *json;

  if (info == NULL)
    return NULL;
  rids = crm_segment_dup_member_rids (store, info->rule, reference_date, error);
  if (rids == NULL)
    return NULL;
  json = g_string_sized_new (rids->len * 8 + 2);
  g_string_append_c (json, '[');
  for (guint i = 0; i < rids->len; i++)
    g_string_append_printf (json, i > 0 ? ",%" G_GINT64_FORMAT : "%" G_GINT64_FORMAT, g_array_index (rids, gint64, i));
  g_string_append_c (json, ']');
  return g_string_free (json, FALSE);
}

/* Saved segments (not the built-in ones, which are the lifecycle and RFM
 * filters) with how many of the list, given the other filters, each has. */
static GPtrArray *
count_segments (CrmStore      *store,
                char * const  *filters,
                const char    *reference_date,
                GError       **error)
{
  g_autoptr(GPtrArray) facets = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_contact_facet_free);
  g_autoptr(GPtrArray) segments = crm_segment_list_all (store, error);

  if (segments == NULL)
    return NULL;
  for (guint i = 0; i < segments->len; i++)
    {
      CrmSegmentInfo *info = g_ptr_array_index (segments, i);
      g_autoptr(CrmCachedStmt) stmt = NULL;
      g_autofree char *members = NULL;
      CrmContactFacet *facet;
      int rc;

      if (info->builtin)
        continue;
      members = segment_members_json (store, info->id, reference_date, error);
      stmt = members != NULL ? crm_store_prepare (store, segment_count_sql, error) : NULL;
      if (stmt == NULL)
        return NULL;
      bind_filter_values (stmt, filters, members, reference_date, CRM_CONTACT_N_FILTERS);
      /* Bound whether or not the segment filter is on. */
      crm_stmt_bind_text (stmt, 11, members);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        {
          crm_store_take_error (store, rc, error);
          return NULL;
        }
      facet = g_new0 (CrmContactFacet, 1);
      facet->value = g_strdup (info->id);
      facet->label = g_strdup (info->name);
      facet->count = sqlite3_column_int64 (stmt, 0);
      g_ptr_array_add (facets, facet);
    }
  return g_steal_pointer (&facets);
}

static void
crm_contact_facet_free (CrmContactFacet *facet)
{
  g_free (facet->value);
  g_free (facet->label);
  g_free (facet);
}

/* Each value of @filter with its count among the contacts that pass the
 * other @filters. Reads @store only, so it runs in a thread as well. */
static GPtrArray *
count_facet (CrmStore          *store,
             char * const      *filters,
             const char        *segment_members,
             const char        *reference_date,
             CrmContactFilter   filter,
             GError           **error)
{
  g_autoptr(GPtrArray) facets = NULL;
  g_autoptr(CrmCachedStmt) stmt = NULL;
  int rc;

  if (filter == CRM_CONTACT_FILTER_SEGMENT)
    return count_segments (store, filters, reference_date, error);
  stmt = crm_store_prepare (store, facet_sql[filter], error);
  if (stmt == NULL)
    return NULL;

  bind_filter_values (stmt, filters, segment_members, reference_date, filter);
  facets = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_contact_facet_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CrmContactFacet *facet = g_new0 (CrmContactFacet, 1);

      facet->value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      facet->label = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      facet->count = sqlite3_column_int64 (stmt, 2);
      g_ptr_array_add (facets, facet);
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }

  /* "under_25" sorts after the digits in SQL. */
  if (filter == CRM_CONTACT_FILTER_AGE_BAND && facets->len > 0 &&
      g_strcmp0 (((CrmContactFacet *) g_ptr_array_index (facets, facets->len - 1))->value, "under_25") == 0)
    g_ptr_array_insert (facets, 0, g_ptr_array_steal_index (facets, facets->len - 1));

  return g_steal_pointer (&facets);
}

/* The values of @filter with how many contacts each would show, given the
 * other filters (not the search): what a filter menu offers. Owners carry
 * the user's name as label (NULL for no owner); most common first, age
 * bands youngest first, at most 100 values. */
GPtrArray *
crm_contact_list_model_count_facet (CrmContactListModel  *self,
                                    CrmContactFilter      filter,
                                    GError              **error)
{
  g_return_val_if_fail (CRM_IS_CONTACT_LIST_MODEL (self), NULL);
  g_return_val_if_fail (filter < CRM_CONTACT_N_FILTERS, NULL);

  return count_facet (self->store, self->filters, self->segment_members, self->reference_date, filter, error);
}

/* What a count in a thread needs: the filters as they were when it began. */
typedef struct
{
  char             *path;
  char             *filters[CRM_CONTACT_N_FILTERS];
  char             *segment_members;
  char             *reference_date;
  CrmContactFilter  filter;
} FacetJob;

static void
facet_job_free (FacetJob *job)
{
  g_free (job->path);
  for (guint i = 0; i < CRM_CONTACT_N_FILTERS; i++)
    g_free (job->filters[i]);
  g_free (job->segment_members);
  g_free (job->reference_date);
  g_free (job);
}

/* Stops a long count (a saved segment over a million contacts takes
 * seconds) soon after the menu that wanted it is closed. */
static int
facet_progress (void *user_data)
{
  return g_cancellable_is_cancelled (user_data);
}

static void
count_facet_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  FacetJob *job = task_data;
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GPtrArray) facets = NULL;
  g_autoptr(GError) error = NULL;

  store = crm_store_open_full (job->path, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store != NULL)
    {
      if (cancellable != NULL)
        sqlite3_progress_handler (crm_store_get_db (store), 10000, facet_progress, cancellable);
      facets = count_facet (store, job->filters, job->segment_members, job->reference_date, job->filter, &error);
    }

  if (g_task_return_error_if_cancelled (task))
    return;
  if (facets == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&facets), (GDestroyNotify) g_ptr_array_unref);
}

/* crm_contact_list_model_count_facet() in a thread on a connection of its
 * own, for menus that must not stop the window while they count. The
 * thread works on a copy of the filters and does not keep the model (nor
 * its store) alive. */
void
crm_contact_list_model_count_facet_async (CrmContactListModel *self,
                                          CrmContactFilter     filter,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FacetJob *job;

  g_return_if_fail (CRM_IS_CONTACT_LIST_MODEL (self));
  g_return_if_fail (filter < CRM_CONTACT_N_FILTERS);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  job = g_new0 (FacetJob, 1);
  job->path = g_strdup (crm_store_get_path (self->store));
  for (guint i = 0; i < CRM_CONTACT_N_FILTERS; i++)
    job->filters[i] = g_strdup (self->filters[i]);
  job->segment_members = g_strdup (self->segment_members);
  job->reference_date = g_strdup (self->reference_date);
  job->filter = filter;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_contact_list_model_count_facet_async);
  g_task_set_task_data (task, job, (GDestroyNotify) facet_job_free);
  g_task_run_in_thread (task, count_facet_thread);
}

GPtrArray *
crm_contact_list_model_count_facet_finish (GAsyncResult  *result,
                                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

CrmContactFilter
crm_contact_list_model_count_facet_get_filter (GAsyncResult *result)
{
  FacetJob *job;

  g_return_val_if_fail (g_task_is_valid (result, NULL), CRM_CONTACT_N_FILTERS);

  job = g_task_get_task_data (G_TASK (result));

  return job->filter;
}

gboolean
crm_contact_list_model_get_loading (CrmContactListModel *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_LIST_MODEL (self), FALSE);

  return self->loading;
}

/* Lists longer than @rows are read in a thread (default 20,000). For tests,
 * which need a long list without a million rows. */
void
crm_contact_list_model_set_sync_rows (CrmContactListModel *self,
                                      guint                rows)
{
  g_return_if_fail (CRM_IS_CONTACT_LIST_MODEL (self));

  self->sync_rows = MAX (rows, 1);
}

/* TRUE when the search stopped counting at CRM_CONTACT_SEARCH_TOTAL_CAP:
 * there are more matches than the total says. */
gint64
crm_contact_list_model_get_rid (CrmContactListModel *self,
                                guint                position)
{
  g_return_val_if_fail (CRM_IS_CONTACT_LIST_MODEL (self), 0);

  return position < self->rids->len ? g_array_index (self->rids, gint64, position) : 0;
}

char *
crm_contact_list_model_id_for_rid (CrmStore  *store,
                                   gint64     rid,
                                   GError   **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  stmt = crm_store_prepare (store, id_for_rid_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, rid);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    crm_store_take_error (store, rc, error);
  else
    g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
                 _("The contact in row %" PRId64 " no longer exists."), (int64_t) rid);
  return NULL;
}

gboolean
crm_contact_list_model_get_total_is_capped (CrmContactListModel *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_LIST_MODEL (self), FALSE);

  return self->total_is_capped;
}
