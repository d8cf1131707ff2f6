/* crm-pulled-page.c: a page of a pull, with what storing its new rows needs worked out ahead
 *
 * Writing a page is the critical path of a pull: the store has one
 * writer. Everything about a pulled row that needs no store is worked out
 * here, in the thread that fetched the page, while the page before it is
 * written: the newest clock of its fields, the pinyin readings of a
 * contact's name, and a contact's search rows (numbered by the change's
 * index in the page; the engine maps them to the rids it inserts). */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "crm-hlc.h"
#include "crm-pulled-page.h"
#include "crm-sync-protocol.h"

typedef struct
{
  CrmPulledChange change;
  char *updated_at;
  CrmSyncReadings readings;
  GPtrArray *texts;   /* crm_sync_render_members() of a put's row */
} PreparedChange;

struct _CrmPulledPage
{
  JsonObject *body;
  GArray *changes;                /* PreparedChange, by the change's index */
  CrmContactSearchRows *search;   /* of the contacts put, numbered by index */
  GArray *by_sql;                 /* guint: indexes whose search rows need SQL */
  const char *newest;             /* the newest valid clock of the puts */
  guint n_valid;                  /* the changes before the first malformed one */
  GError *error;                  /* what is wrong with that one */
};

static void
prepared_change_clear (PreparedChange *change)
{
  g_free (change->updated_at);
  crm_sync_readings_clear (&change->readings);
  g_clear_pointer (&change->texts, g_ptr_array_unref);
}

static char *
newest_clock (JsonObject *row,
              JsonObject *hlcs)
{
  char *newest = NULL;
  JsonObjectIter iter;
  const char *field;

  if (hlcs == NULL)
    return NULL;
  json_object_iter_init (&iter, row);
  while (json_object_iter_next (&iter, &field, NULL))
    {
      const char *hlc = crm_sync_field_clock (hlcs, field);

      if (hlc != NULL && (newest == NULL || crm_hlc_compare (hlc, newest) > 0))
        {
          g_free (newest);
          newest = g_strdup (hlc);
        }
    }
  return newest;
}

/* NULL for a missing or null member; FALSE in *out_ok for another type. */
static const char *
string_member (JsonObject *row,
               const char *name,
               gboolean   *out_ok)
{
  JsonNode *node = json_object_get_member (row, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      *out_ok = FALSE;
      return NULL;
    }
  return json_node_get_string (node);
}

static void
prepare_search_rows (CrmPulledPage   *self,
                     guint            index,
                     JsonObject      *row,
                     CrmSyncReadings *readings)
{
  gboolean ok = TRUE;
  const char *name = string_member (row, "name", &ok);
  const char *organization_id = string_member (row, "organization_id", &ok);

  if (!ok || !crm_contact_search_rows_add_nodes (self->search, index, name, readings->full,
                                                 readings->initials,
                                                 json_object_get_member (row, "emails"),
                                                 json_object_get_member (row, "phones"),
                                                 json_object_get_member (row, "tags"),
                                                 organization_id))
    g_array_append_val (self->by_sql, index);
}

static gboolean
read_change (JsonNode         *node,
             CrmPulledChange  *out,
             GError          **error)
{
  JsonObject *change;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_SERVER,
                           _("The server sent a change that is not a JSON object."));
      return FALSE;
    }
  change = json_node_get_object (node);
  return crm_sync_get_string (change, "op", FALSE, &out->op, error) &&
         crm_sync_get_string (change, "table", FALSE, &out->table, error) &&
         crm_sync_get_string (change, "id", FALSE, &out->id, error) &&
         crm_sync_get_int (change, "seq", FALSE, 1, G_MAXINT64, &out->seq, error) &&
         crm_sync_get_object (change, "row", TRUE, &out->row, error) &&
         crm_sync_get_object (change, "hlc", TRUE, &out->hlcs, error) &&
         crm_sync_get_object (change, "by", TRUE, &out->authors, error);
}

/* The changes are read up to the first malformed one, which the engine
 * reports when it reaches it. */
CrmPulledPage *
crm_pulled_page_new (JsonObject *body)
{
  CrmPulledPage *self = g_new0 (CrmPulledPage, 1);
  JsonNode *changes_node = json_object_get_member (body, "changes");
  JsonArray *changes = changes_node != NULL && JSON_NODE_HOLDS_ARRAY (changes_node)
                       ? json_node_get_array (changes_node) : NULL;
  guint n = changes != NULL ? json_array_get_length (changes) : 0;

  self->body = json_object_ref (body);
  self->changes = g_array_sized_new (FALSE, TRUE, sizeof (PreparedChange), n);
  g_array_set_clear_func (self->changes, (GDestroyNotify) prepared_change_clear);
  g_array_set_size (self->changes, n);
  self->search = crm_contact_search_rows_new ();
  self->by_sql = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < n; i++, self->n_valid++)
    {
      PreparedChange *prepared = &g_array_index (self->changes, PreparedChange, i);
      CrmPulledChange *change = &prepared->change;

      if (!read_change (json_array_get_element (changes, i), change, &self->error))
        break;
      if (!g_str_equal (change->op, "put") || change->row == NULL)
        continue;
      prepared->updated_at = newest_clock (change->row, change->hlcs);
      if (prepared->updated_at != NULL &&
          (self->newest == NULL || crm_hlc_compare (prepared->updated_at, self->newest) > 0) &&
          crm_hlc_parse (prepared->updated_at, NULL, NULL, NULL))
        self->newest = prepared->updated_at;
      crm_sync_readings_compute (&prepared->readings, change->table, change->row);
      prepared->texts = crm_sync_render_members (change->row);
      if (g_str_equal (change->table, "contacts"))
        prepare_search_rows (self, i, change->row, &prepared->readings);
    }
  crm_contact_search_rows_sort (self->search);
  return self;
}

void
crm_pulled_page_free (CrmPulledPage *self)
{
  json_object_unref (self->body);
  g_array_unref (self->changes);
  g_clear_pointer (&self->search, crm_contact_search_rows_free);
  g_clear_pointer (&self->by_sql, g_array_unref);
  g_clear_error (&self->error);
  g_free (self);
}

JsonObject *
crm_pulled_page_get_body (CrmPulledPage *self)
{
  return self->body;
}

/* The change at @index, its members checked: FALSE for a malformed one. */
gboolean
crm_pulled_page_get_change (CrmPulledPage    *self,
                            guint             index,
                            CrmPulledChange  *out,
                            GError          **error)
{
  if (index >= self->n_valid)
    {
      if (self->error != NULL)
        g_propagate_error (error, g_error_copy (self->error));
      else
        g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_SERVER,
                             _("The server sent a change that is not a JSON object."));
      return FALSE;
    }
  *out = g_array_index (self->changes, PreparedChange, index).change;
  return TRUE;
}

/* The newest valid clock of the page's puts, NULL if none: this replica's
 * clock is moved past it once for the page. */
const char *
crm_pulled_page_get_newest_clock (CrmPulledPage *self)
{
  return self->newest;
}

/* The newest clock of the fields of the put at @index, NULL if none. */
const char *
crm_pulled_page_get_updated_at (CrmPulledPage *self,
                                guint          index)
{
  if (index >= self->changes->len)
    return NULL;
  return g_array_index (self->changes, PreparedChange, index).updated_at;
}

/* The readings of the contact put at @index; *@out is all NULL for
 * another change or a contact without a name. */
void
crm_pulled_page_take_readings (CrmPulledPage   *self,
                               guint            index,
                               CrmSyncReadings *out)
{
  crm_sync_readings_clear (out);
  if (index >= self->changes->len)
    return;
  *out = g_array_index (self->changes, PreparedChange, index).readings;
  memset (&g_array_index (self->changes, PreparedChange, index).readings, 0, sizeof (CrmSyncReadings));
}

/* The members of the put at @index rendered for its INSERT
 * (crm_sync_render_members()); NULL for another change or once taken. */
GPtrArray *
crm_pulled_page_steal_texts (CrmPulledPage *self,
                             guint          index)
{
  if (index >= self->changes->len)
    return NULL;
  return g_steal_pointer (&g_array_index (self->changes, PreparedChange, index).texts);
}

/* The search rows of the page's contact puts, numbered by index, and the
 * indexes whose rows the triggers' SQL must write; NULL once taken. */
CrmContactSearchRows *
crm_pulled_page_steal_search_rows (CrmPulledPage  *self,
                                   GArray        **out_by_sql)
{
  *out_by_sql = g_steal_pointer (&self->by_sql);
  return g_steal_pointer (&self->search);
}
