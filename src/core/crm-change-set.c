/* crm-change-set.c: what one user action changed in the store, so that it can be undone in one step */

#include "config.h"

#include "crm-change-set.h"

typedef enum
{
  ENTRY_FIELDS,
  ENTRY_INSERT,
  ENTRY_DELETE,
} EntryKind;

typedef struct
{
  EntryKind  kind;
  GType      type;
  char      *id;
  GPtrArray *properties;   /* kebab-case property names */
  GArray    *values;       /* GValue, one per property */
} Entry;

struct _CrmChangeSet
{
  GObject    parent_instance;

  CrmStore  *store;
  GPtrArray *entries;      /* Entry, oldest first */
};

G_DEFINE_FINAL_TYPE (CrmChangeSet, crm_change_set, G_TYPE_OBJECT)

static void
entry_free (Entry *entry)
{
  g_free (entry->id);
  g_clear_pointer (&entry->properties, g_ptr_array_unref);
  g_clear_pointer (&entry->values, g_array_unref);
  g_free (entry);
}

static Entry *
entry_new (EntryKind   kind,
           GType       type,
           const char *id)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->kind = kind;
  entry->type = type;
  entry->id = g_strdup (id);
  return entry;
}

static void
crm_change_set_finalize (GObject *object)
{
  CrmChangeSet *self = (CrmChangeSet *)object;

  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (crm_change_set_parent_class)->finalize (object);
}

static void
crm_change_set_class_init (CrmChangeSetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = crm_change_set_finalize;
}

static void
crm_change_set_init (CrmChangeSet *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
}

CrmChangeSet *
crm_change_set_new (CrmStore *store)
{
  CrmChangeSet *self;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  self = g_object_new (CRM_TYPE_CHANGE_SET, NULL);
  self->store = g_object_ref (store);
  return self;
}

void
crm_change_set_remember_fields (CrmChangeSet       *self,
                                CrmRecord          *record,
                                const char * const *columns)
{
  GObjectClass *object_class;
  Entry *entry;

  g_return_if_fail (CRM_IS_CHANGE_SET (self));
  g_return_if_fail (CRM_IS_RECORD (record));
  g_return_if_fail (crm_record_get_id (record) != NULL);
  g_return_if_fail (columns != NULL);

  object_class = G_OBJECT_GET_CLASS (record);
  entry = entry_new (ENTRY_FIELDS, G_OBJECT_TYPE (record), crm_record_get_id (record));
  entry->properties = g_ptr_array_new_with_free_func (g_free);
  entry->values = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_array_set_clear_func (entry->values, (GDestroyNotify) g_value_unset);

  for (guint i = 0; columns[i] != NULL; i++)
    {
      char *property = g_strdelimit (g_strdup (columns[i]), "_", '-');
      GParamSpec *pspec = g_object_class_find_property (object_class, property);
      GValue value = G_VALUE_INIT;

      if (pspec == NULL)
        {
          g_critical ("%s has no column “%s”", G_OBJECT_TYPE_NAME (record), columns[i]);
          g_free (property);
          continue;
        }

      g_value_init (&value, pspec->value_type);
      g_object_get_property (G_OBJECT (record), property, &value);
      g_ptr_array_add (entry->properties, property);
      g_array_append_val (entry->values, value);
    }

  g_ptr_array_add (self->entries, entry);
}

void
crm_change_set_remember_insert (CrmChangeSet *self,
                                CrmRecord    *record)
{
  g_return_if_fail (CRM_IS_CHANGE_SET (self));
  g_return_if_fail (CRM_IS_RECORD (record));
  g_return_if_fail (crm_record_get_id (record) != NULL);

  g_ptr_array_add (self->entries, entry_new (ENTRY_INSERT, G_OBJECT_TYPE (record),
                                             crm_record_get_id (record)));
}

void
crm_change_set_remember_delete (CrmChangeSet *self,
                                GType         type,
                                const char   *id)
{
  g_return_if_fail (CRM_IS_CHANGE_SET (self));
  g_return_if_fail (g_type_is_a (type, CRM_TYPE_RECORD));
  g_return_if_fail (id != NULL);

  g_ptr_array_add (self->entries, entry_new (ENTRY_DELETE, type, id));
}

guint
crm_change_set_get_n_rows (CrmChangeSet *self)
{
  g_return_val_if_fail (CRM_IS_CHANGE_SET (self), 0);

  return self->entries->len;
}

static gboolean
revert_entry (CrmStore      *store,
              Entry         *entry,
              GError       **error)
{
  g_autoptr(CrmRecord) record = NULL;

  switch (entry->kind)
    {
    case ENTRY_INSERT:
      return crm_store_delete (store, entry->type, entry->id, error);

    case ENTRY_DELETE:
      return crm_store_undelete (store, entry->type, entry->id, error);

    case ENTRY_FIELDS:
    default:
      /* Reloaded, so only what differs now is written: fields someone
       * else changed meanwhile are left alone. */
      record = crm_store_get (store, entry->type, entry->id, error);
      if (record == NULL)
        return FALSE;
      for (guint i = 0; i < entry->properties->len; i++)
        g_object_set_property (G_OBJECT (record),
                               g_ptr_array_index (entry->properties, i),
                               &g_array_index (entry->values, GValue, i));
      if (!crm_record_has_changes (record))
        return TRUE;
      return crm_store_update (store, record, error);
    }
}

gboolean
crm_change_set_revert (CrmChangeSet  *self,
                       GError       **error)
{
  g_return_val_if_fail (CRM_IS_CHANGE_SET (self), FALSE);

  return crm_change_set_revert_with (self, self->store, NULL, NULL, error);
}

gboolean
crm_change_set_revert_with (CrmChangeSet   *self,
                            CrmStore       *store,
                            GCancellable   *cancellable,
                            volatile gint  *done,
                            GError        **error)
{
  g_return_val_if_fail (CRM_IS_CHANGE_SET (self), FALSE);
  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);

  if (!crm_store_begin (store, error))
    return FALSE;

  for (guint i = self->entries->len; i > 0; i--)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !revert_entry (store, g_ptr_array_index (self->entries, i - 1), error))
        {
          crm_store_rollback (store);
          return FALSE;
        }
      if (done != NULL)
        g_atomic_int_set (done, (gint) (self->entries->len - i + 1));
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !crm_store_commit (store, error))
    {
      crm_store_rollback (store);
      return FALSE;
    }

  g_ptr_array_set_size (self->entries, 0);
  return TRUE;
}
