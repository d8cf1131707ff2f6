/* crm-contact-list-model.c: contacts as a GListModel that holds row ids and loads records when asked */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "crm-contact.h"
#include "crm-contact-list-model.h"
#include "crm-contact-search.h"
#include "crm-store-private.h"

/* A million contacts cost 8 MB of row ids; records exist only for the rows
 * a view has bound, plus a small cache so scrolling back is cheap. */
#define CACHE_SIZE 512

/* Search-as-you-type shows the best matches; the total is still reported. */
#define SEARCH_LIMIT 10000

struct _CrmContactListModel
{
  GObject         parent_instance;

  CrmStore       *store;
  char           *query;
  CrmContactSort  sort;
  gboolean        descending;

  GArray         *rids;        /* gint64 row ids, in list order */
  guint           total;       /* matches, before SEARCH_LIMIT */
  GHashTable     *cache;       /* rid → CrmContact */
  GQueue          cache_order; /* rids, oldest first */
  GError         *error;
  guint           refresh_idle;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CrmContactListModel, crm_contact_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_QUERY,
  PROP_TOTAL,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* NULLs sort last in both directions; rid breaks ties so the order is total
 * and a refresh can be diffed against the previous one. */
static const char * const sort_sql[][2] = {
  [CRM_CONTACT_SORT_NAME] = {
    "SELECT rid FROM contacts WHERE deleted = 0 ORDER BY name_sort, rid",
    "SELECT rid FROM contacts WHERE deleted = 0 ORDER BY name_sort DESC, rid DESC",
  },
  [CRM_CONTACT_SORT_CREATED] = {
    "SELECT rid FROM contacts WHERE deleted = 0 ORDER BY created_at, rid",
    "SELECT rid FROM contacts WHERE deleted = 0 ORDER BY created_at DESC, rid DESC",
  },
  [CRM_CONTACT_SORT_UPDATED] = {
    "SELECT rid FROM contacts WHERE deleted = 0 ORDER BY updated_at, rid",
    "SELECT rid FROM contacts WHERE deleted = 0 ORDER BY updated_at DESC, rid DESC",
  },
  [CRM_CONTACT_SORT_LAST_PURCHASE] = {
    "SELECT rid FROM contacts WHERE deleted = 0 ORDER BY last_purchase_at IS NULL, last_purchase_at, rid",
    "SELECT rid FROM contacts WHERE deleted = 0 ORDER BY last_purchase_at IS NULL, last_purchase_at DESC, rid DESC",
  },
  [CRM_CONTACT_SORT_TOTAL_SPENT] = {
    "SELECT rid FROM contacts WHERE deleted = 0 ORDER BY total_spent, rid",
    "SELECT rid FROM contacts WHERE deleted = 0 ORDER BY total_spent DESC, rid DESC",
  },
  [CRM_CONTACT_SORT_PURCHASE_COUNT] = {
    "SELECT rid FROM contacts WHERE deleted = 0 ORDER BY purchase_count, rid",
    "SELECT rid FROM contacts WHERE deleted = 0 ORDER BY purchase_count DESC, rid DESC",
  },
  [CRM_CONTACT_SORT_REGION] = {
    "SELECT rid FROM contacts WHERE deleted = 0 ORDER BY province IS NULL, province, city, name_sort, rid",
    "SELECT rid FROM contacts WHERE deleted = 0 ORDER BY province IS NULL, province DESC, city DESC, name_sort, rid",
  },
  [CRM_CONTACT_SORT_LIFECYCLE] = {
    "SELECT rid FROM contacts WHERE deleted = 0 ORDER BY coalesce (lifecycle_override, lifecycle), name_sort, rid",
    "SELECT rid FROM contacts WHERE deleted = 0 ORDER BY coalesce (lifecycle_override, lifecycle) DESC, name_sort, rid",
  },
};

static const char rid_for_id_sql[] = "SELECT rid FROM contacts WHERE id = ?";
static const char id_for_rid_sql[] = "SELECT id FROM contacts WHERE rid = ?";

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

static GArray *
query_all (CrmContactListModel  *self,
           guint                *out_total,
           GError              **error)
{
  g_autoptr(GArray) rids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(CrmCachedStmt) stmt = NULL;
  int rc;

  stmt = crm_store_prepare (self->store, sort_sql[self->sort][self->descending ? 1 : 0], error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 rid = sqlite3_column_int64 (stmt, 0);
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

/* Search results keep their rank order (exact, prefix, substring). */
static GArray *
query_search (CrmContactListModel  *self,
              guint                *out_total,
              GError              **error)
{
  g_autoptr(GArray) rids = NULL;
  g_autoptr(GPtrArray) ids = NULL;

  ids = crm_contact_search (self->store, self->query, SEARCH_LIMIT, 0, out_total, error);
  if (ids == NULL)
    return NULL;

  rids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), ids->len);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(GError) local_error = NULL;
      gint64 rid;

      if (lookup_rid (self, g_ptr_array_index (ids, i), &rid, &local_error))
        g_array_append_val (rids, rid);
      else if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

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
  guint total = 0;

  g_return_val_if_fail (CRM_IS_CONTACT_LIST_MODEL (self), FALSE);

  if (self->query != NULL && *self->query != '\0')
    rids = query_search (self, &total, &local_error);
  else
    rids = query_all (self, &total, &local_error);

  set_error (self, local_error);
  if (rids == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  replace_rows (self, rids, total);
  return TRUE;
}

static gboolean
refresh_idle_cb (gpointer user_data)
{
  CrmContactListModel *self = user_data;

  self->refresh_idle = 0;
  crm_contact_list_model_refresh (self, NULL);
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
      crm_contact_list_model_refresh (self, NULL);
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
  crm_contact_list_model_refresh (self, NULL);

  if (position != G_MAXUINT && position == crm_contact_list_model_find (self, id))
    g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
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
  crm_contact_list_model_refresh (self, NULL);
}

static void
crm_contact_list_model_finalize (GObject *object)
{
  CrmContactListModel *self = (CrmContactListModel *)object;

  g_clear_handle_id (&self->refresh_idle, g_source_remove);
  cache_clear (self);
  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_clear_pointer (&self->rids, g_array_unref);
  g_clear_pointer (&self->query, g_free);
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
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crm_contact_list_model_init (CrmContactListModel *self)
{
  self->rids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  g_queue_init (&self->cache_order);
}

CrmContactListModel *
crm_contact_list_model_new (CrmStore *store)
{
  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  return g_object_new (CRM_TYPE_CONTACT_LIST_MODEL,
                       "store", store,
                       NULL);
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
  crm_contact_list_model_refresh (self, NULL);
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
  crm_contact_list_model_refresh (self, NULL);
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
