/* crm-timeline-model.c: a contact's activities and purchases, or a deal's activities and stage moves, newest first, as a GListModel */

#include "config.h"

#include "crm-activity.h"
#include "crm-deal-stage-history.h"
#include "crm-purchase.h"
#include "crm-store-private.h"
#include "crm-timeline-model.h"

/* One contact has tens to a few thousand entries: they are read whole.
 * Ties are broken by id (UUIDv7, so by creation) for a stable order. ?2 is
 * the kind filter, NULL for all. */
static const char timeline_sql[] =
  "SELECT 'a', id, coalesce (done_at, due_at, substr (created_at, 1, 24)) AS at FROM activities"
  " WHERE contact_id = ?1 AND deleted = 0 AND (?2 IS NULL OR kind = ?2)"
  " UNION ALL "
  "SELECT 'p', id, purchased_at AS at FROM purchases"
  " WHERE contact_id = ?1 AND deleted = 0 AND (?2 IS NULL OR ?2 = 'purchase')"
  " ORDER BY at DESC, 2 DESC";

/* A deal's timeline: its activities and its stage moves. */
static const char deal_timeline_sql[] =
  "SELECT 'a', id, coalesce (done_at, due_at, substr (created_at, 1, 24)) AS at FROM activities"
  " WHERE deal_id = ?1 AND deleted = 0 AND (?2 IS NULL OR kind = ?2)"
  " UNION ALL "
  "SELECT 's', id, at FROM deal_stage_history"
  " WHERE deal_id = ?1 AND deleted = 0 AND (?2 IS NULL OR ?2 = 'stage')"
  " ORDER BY at DESC, 2 DESC";

typedef struct
{
  CrmRecord *record;
  char      *at;
} Item;

struct _CrmTimelineModel
{
  GObject    parent_instance;

  CrmStore  *store;
  char      *contact_id;
  char      *deal_id;     /* set: the deal's timeline instead of the contact's */
  char      *kind;
  GPtrArray *items;   /* Item */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CrmTimelineModel, crm_timeline_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
item_free (Item *item)
{
  g_clear_object (&item->record);
  g_free (item->at);
  g_free (item);
}

static void
reload (CrmTimelineModel *self)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  g_autoptr(GPtrArray) old = NULL;
  guint old_n = self->items->len;

  if (self->contact_id != NULL || self->deal_id != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store,
                                                         self->deal_id != NULL ? deal_timeline_sql : timeline_sql,
                                                         &error);
      g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
      int rc = SQLITE_DONE;

      if (stmt != NULL)
        {
          crm_stmt_bind_text (stmt, 1, self->deal_id != NULL ? self->deal_id : self->contact_id);
          crm_stmt_bind_text (stmt, 2, self->kind);
          while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
            {
              Item *item = g_new0 (Item, 1);

              g_ptr_array_add (keys, g_strconcat ((const char *) sqlite3_column_text (stmt, 0),
                                                  (const char *) sqlite3_column_text (stmt, 1), NULL));
              item->at = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
              g_ptr_array_add (items, item);
            }
          if (rc != SQLITE_DONE)
            crm_store_take_error (self->store, rc, &error);
        }
      if (error != NULL)
        g_warning ("Could not read the timeline of %s: %s",
                   self->deal_id != NULL ? self->deal_id : self->contact_id, error->message);

      /* Records are loaded after the statement is done: crm_store_get
       * uses statements of its own. */
      for (guint i = 0; i < items->len; i++)
        {
          const char *key = g_ptr_array_index (keys, i);
          Item *item = g_ptr_array_index (items, i);
          GType type = key[0] == 'a' ? CRM_TYPE_ACTIVITY
                       : key[0] == 's' ? CRM_TYPE_DEAL_STAGE_HISTORY : CRM_TYPE_PURCHASE;

          item->record = crm_store_get (self->store, type, key + 1, NULL);
        }
      for (guint i = items->len; i > 0; i--)
        if (((Item *) g_ptr_array_index (items, i - 1))->record == NULL)
          g_ptr_array_remove_index (items, i - 1);
    }

  old = g_steal_pointer (&self->items);
  self->items = g_steal_pointer (&items);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, self->items->len);
}

static void
on_store_changed (CrmTimelineModel *self,
                  const char       *table,
                  const char       *id,
                  CrmStore         *store)
{
  if (self->contact_id == NULL && self->deal_id == NULL)
    return;
  if (table == NULL || g_str_equal (table, "activities") || g_str_equal (table, "purchases") ||
      g_str_equal (table, "deal_stage_history"))
    reload (self);
}

static GType
crm_timeline_model_get_item_type (GListModel *model)
{
  return CRM_TYPE_RECORD;
}

static guint
crm_timeline_model_get_n_items (GListModel *model)
{
  return CRM_TIMELINE_MODEL (model)->items->len;
}

static gpointer
crm_timeline_model_get_item (GListModel *model,
                             guint       position)
{
  CrmTimelineModel *self = CRM_TIMELINE_MODEL (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (((Item *) g_ptr_array_index (self->items, position))->record);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = crm_timeline_model_get_item_type;
  iface->get_n_items = crm_timeline_model_get_n_items;
  iface->get_item = crm_timeline_model_get_item;
}

static void
crm_timeline_model_finalize (GObject *object)
{
  CrmTimelineModel *self = (CrmTimelineModel *)object;

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->contact_id, g_free);
  g_clear_pointer (&self->deal_id, g_free);
  g_clear_pointer (&self->kind, g_free);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (crm_timeline_model_parent_class)->finalize (object);
}

static void
crm_timeline_model_class_init (CrmTimelineModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = crm_timeline_model_finalize;
}

static void
crm_timeline_model_init (CrmTimelineModel *self)
{
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
}

CrmTimelineModel *
crm_timeline_model_new (CrmStore *store)
{
  CrmTimelineModel *self;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  self = g_object_new (CRM_TYPE_TIMELINE_MODEL, NULL);
  self->store = g_object_ref (store);
  g_signal_connect_object (store, "changed", G_CALLBACK (on_store_changed), self, G_CONNECT_SWAPPED);
  return self;
}

const char *
crm_timeline_model_get_contact_id (CrmTimelineModel *self)
{
  g_return_val_if_fail (CRM_IS_TIMELINE_MODEL (self), NULL);

  return self->contact_id;
}

void
crm_timeline_model_set_contact_id (CrmTimelineModel *self,
                                   const char       *contact_id)
{
  g_return_if_fail (CRM_IS_TIMELINE_MODEL (self));

  if (g_strcmp0 (contact_id, self->contact_id) == 0)
    return;

  g_free (self->contact_id);
  self->contact_id = g_strdup (contact_id);
  reload (self);
}

const char *
crm_timeline_model_get_deal_id (CrmTimelineModel *self)
{
  g_return_val_if_fail (CRM_IS_TIMELINE_MODEL (self), NULL);

  return self->deal_id;
}

void
crm_timeline_model_set_deal_id (CrmTimelineModel *self,
                                const char       *deal_id)
{
  g_return_if_fail (CRM_IS_TIMELINE_MODEL (self));

  if (g_strcmp0 (deal_id, self->deal_id) == 0)
    return;

  g_free (self->deal_id);
  self->deal_id = g_strdup (deal_id);
  reload (self);
}

const char *
crm_timeline_model_get_kind (CrmTimelineModel *self)
{
  g_return_val_if_fail (CRM_IS_TIMELINE_MODEL (self), NULL);

  return self->kind;
}

void
crm_timeline_model_set_kind (CrmTimelineModel *self,
                             const char       *kind)
{
  g_return_if_fail (CRM_IS_TIMELINE_MODEL (self));

  if (kind != NULL && *kind == '\0')
    kind = NULL;
  if (g_strcmp0 (kind, self->kind) == 0)
    return;

  g_free (self->kind);
  self->kind = g_strdup (kind);
  reload (self);
}

const char *
crm_timeline_model_get_item_time (CrmTimelineModel *self,
                                  guint             position)
{
  g_return_val_if_fail (CRM_IS_TIMELINE_MODEL (self), NULL);

  if (position >= self->items->len)
    return NULL;
  return ((Item *) g_ptr_array_index (self->items, position))->at;
}
