/* crm-record.c: a record's column values, their properties, change tracking and text parsing */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crm-json.h"
#include "crm-record.h"
#include "crm-record-private.h"
#include "crm-store-error.h"
#include "crm-uuid.h"
#include "crm-value.h"

/* Values live in one GValue per column (base columns first), so the
 * store can read and write any record class generically, and an update
 * writes only the columns marked changed since the record was loaded. */
typedef struct
{
  GValue *values;
  gboolean *changed;
  guint n_values;
} CrmRecordPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (CrmRecord, crm_record, G_TYPE_OBJECT)

static const CrmColumn base_columns[] = {
  { "id", CRM_COLUMN_REF, CRM_COLUMN_DERIVED, NULL, NULL, 0, 0 },
  { "created_at", CRM_COLUMN_HLC, CRM_COLUMN_DERIVED, NULL, NULL, 0, 0 },
  { "updated_at", CRM_COLUMN_HLC, CRM_COLUMN_DERIVED, NULL, NULL, 0, 0 },
  { "server_version", CRM_COLUMN_INT, CRM_COLUMN_DERIVED, "0", NULL, 0, 0 },
  { "deleted", CRM_COLUMN_BOOL, CRM_COLUMN_DERIVED, "0", NULL, 0, 0 },
  { "owner_id", CRM_COLUMN_REF, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
};

G_STATIC_ASSERT (G_N_ELEMENTS (base_columns) == CRM_RECORD_N_BASE_COLUMNS);

static GParamSpec *base_properties[CRM_RECORD_N_BASE_COLUMNS + 1];

static GType
column_gtype (const CrmColumn *column)
{
  switch (column->type)
    {
    case CRM_COLUMN_INT:
    case CRM_COLUMN_MONEY:
      return G_TYPE_INT64;
    case CRM_COLUMN_BOOL:
      return G_TYPE_BOOLEAN;
    case CRM_COLUMN_TAGS:
    case CRM_COLUMN_EMAILS:
      return G_TYPE_STRV;
    case CRM_COLUMN_BYTES:
      return G_TYPE_BYTES;
    case CRM_COLUMN_TEXT:
    case CRM_COLUMN_ENUM:
    case CRM_COLUMN_DATE:
    case CRM_COLUMN_TIMESTAMP:
    case CRM_COLUMN_HLC:
    case CRM_COLUMN_REF:
    case CRM_COLUMN_CURRENCY:
    case CRM_COLUMN_PHONES:
    case CRM_COLUMN_JSON:
    default:
      return G_TYPE_STRING;
    }
}

static GParamSpec *
column_pspec (const CrmColumn *column)
{
  g_autofree char *kebab = g_strdelimit (g_strdup (column->name), "_", '-');
  const char *name = g_intern_string (kebab);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  switch (column_gtype (column))
    {
    case G_TYPE_BOOLEAN:
      return g_param_spec_boolean (name, NULL, NULL, FALSE, flags);
    case G_TYPE_INT64:
      return g_param_spec_int64 (name, NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
    default:
      if (column_gtype (column) == G_TYPE_STRV)
        return g_param_spec_boxed (name, NULL, NULL, G_TYPE_STRV, flags);
      if (column_gtype (column) == G_TYPE_BYTES)
        return g_param_spec_boxed (name, NULL, NULL, G_TYPE_BYTES, flags);
      return g_param_spec_string (name, NULL, NULL, NULL, flags);
    }
}

guint
crm_record_class_get_n_columns (CrmRecordClass *klass)
{
  return CRM_RECORD_N_BASE_COLUMNS + klass->n_columns;
}

/* Indices inside this file come from loops over the class's columns, so one
 * out of range is a bug here: assert rather than hand callers a NULL. */
static const CrmColumn *
column_at (CrmRecordClass *klass,
           guint           index)
{
  if (index < CRM_RECORD_N_BASE_COLUMNS)
    return &base_columns[index];
  index -= CRM_RECORD_N_BASE_COLUMNS;
  g_assert (index < klass->n_columns);
  return &klass->columns[index];
}

const CrmColumn *
crm_record_class_get_column (CrmRecordClass *klass,
                             guint           index)
{
  g_return_val_if_fail (index < CRM_RECORD_N_BASE_COLUMNS + klass->n_columns, NULL);

  return column_at (klass, index);
}

const CrmColumn *
crm_record_class_find_column (CrmRecordClass *klass,
                              const char     *name,
                              guint          *out_index)
{
  g_autofree char *snake = NULL;
  guint n = crm_record_class_get_n_columns (klass);

  if (name == NULL)
    return NULL;
  snake = g_strdelimit (g_strdup (name), "-", '_');
  for (guint i = 0; i < n; i++)
    {
      const CrmColumn *column = column_at (klass, i);

      if (g_str_equal (column->name, snake))
        {
          if (out_index != NULL)
            *out_index = i;
          return column;
        }
    }
  return NULL;
}

const char *
crm_record_class_get_table (CrmRecordClass *klass)
{
  return klass->table;
}

static CrmRecordPrivate *
get_priv (CrmRecord *self)
{
  return crm_record_get_instance_private (self);
}

/* Text form → GValue without validation, for SQL defaults. */
static void
value_from_default (const CrmColumn *column,
                    GValue          *value)
{
  GType type = column_gtype (column);

  g_value_init (value, type);
  if (type == G_TYPE_INT64)
    g_value_set_int64 (value, column->default_value ? g_ascii_strtoll (column->default_value, NULL, 10) : 0);
  else if (type == G_TYPE_BOOLEAN)
    g_value_set_boolean (value, column->default_value && g_str_equal (column->default_value, "1"));
  else if (type == G_TYPE_STRV)
    {
      static const char * const empty[] = { NULL };
      g_value_set_boxed (value, empty);
    }
  else if (type == G_TYPE_STRING)
    g_value_set_string (value, column->default_value);
}

static guint
pspec_index (GParamSpec *pspec,
             guint       prop_id)
{
  /* Base properties are numbered on CrmRecord, a class's own on itself. */
  if (pspec->owner_type == CRM_TYPE_RECORD)
    return prop_id - 1;
  return CRM_RECORD_N_BASE_COLUMNS + prop_id - 1;
}

static gboolean
values_equal (const GValue *a,
              const GValue *b)
{
  GType type = G_VALUE_TYPE (a);

  if (type == G_TYPE_STRING)
    return g_strcmp0 (g_value_get_string (a), g_value_get_string (b)) == 0;
  if (type == G_TYPE_INT64)
    return g_value_get_int64 (a) == g_value_get_int64 (b);
  if (type == G_TYPE_BOOLEAN)
    return !g_value_get_boolean (a) == !g_value_get_boolean (b);
  if (type == G_TYPE_STRV)
    {
      const char * const *sa = g_value_get_boxed (a);
      const char * const *sb = g_value_get_boxed (b);
      static const char * const empty[] = { NULL };

      return g_strv_equal (sa ? sa : empty, sb ? sb : empty);
    }
  if (type == G_TYPE_BYTES)
    {
      GBytes *ba = g_value_get_boxed (a);
      GBytes *bb = g_value_get_boxed (b);

      if (ba == NULL || bb == NULL)
        return ba == bb;
      return g_bytes_equal (ba, bb);
    }
  g_return_val_if_reached (FALSE);
}

static GParamSpec *
find_pspec (CrmRecord *self,
            guint      index)
{
  const CrmColumn *column = column_at (CRM_RECORD_GET_CLASS (self), index);
  g_autofree char *kebab = g_strdelimit (g_strdup (column->name), "_", '-');

  return g_object_class_find_property (G_OBJECT_GET_CLASS (self), kebab);
}

void
crm_record_set_value (CrmRecord    *self,
                      guint         index,
                      const GValue *value)
{
  CrmRecordPrivate *priv = get_priv (self);
  GValue *slot;

  g_return_if_fail (index < priv->n_values);
  slot = &priv->values[index];

  if (values_equal (slot, value))
    return;

  g_value_copy (value, slot);
  priv->changed[index] = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), find_pspec (self, index));
}

const GValue *
crm_record_peek_value (CrmRecord *self,
                       guint      index)
{
  CrmRecordPrivate *priv = get_priv (self);

  g_return_val_if_fail (index < priv->n_values, NULL);
  return &priv->values[index];
}

gboolean
crm_record_is_changed_at (CrmRecord *self,
                          guint      index)
{
  CrmRecordPrivate *priv = get_priv (self);

  g_return_val_if_fail (index < priv->n_values, FALSE);
  return priv->changed[index];
}

void
crm_record_set_string_at (CrmRecord  *self,
                          guint       index,
                          const char *text)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, text);
  crm_record_set_value (self, index, &value);
}

static void
crm_record_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CrmRecordPrivate *priv = get_priv (CRM_RECORD (object));
  guint index = pspec_index (pspec, prop_id);

  g_return_if_fail (index < priv->n_values);
  g_value_copy (&priv->values[index], value);
}

static void
crm_record_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  crm_record_set_value (CRM_RECORD (object), pspec_index (pspec, prop_id), value);
}

static void
crm_record_finalize (GObject *object)
{
  CrmRecordPrivate *priv = get_priv (CRM_RECORD (object));

  for (guint i = 0; i < priv->n_values; i++)
    g_value_unset (&priv->values[i]);
  g_free (priv->values);
  g_free (priv->changed);

  G_OBJECT_CLASS (crm_record_parent_class)->finalize (object);
}

static void
crm_record_class_init (CrmRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = crm_record_get_property;
  object_class->set_property = crm_record_set_property;
  object_class->finalize = crm_record_finalize;

  for (guint i = 0; i < CRM_RECORD_N_BASE_COLUMNS; i++)
    base_properties[i + 1] = column_pspec (&base_columns[i]);
  g_object_class_install_properties (object_class, CRM_RECORD_N_BASE_COLUMNS + 1, base_properties);
}

/* The values array is sized by the concrete class, which instance_init of
 * an abstract parent cannot see yet: g_type_create_instance() runs it with
 * the parent's class. The concrete class is known by the time the first
 * property is touched, so the storage is made on first use. */
static void
ensure_values (CrmRecord *self)
{
  CrmRecordPrivate *priv = get_priv (self);
  CrmRecordClass *klass = CRM_RECORD_GET_CLASS (self);

  if (priv->values != NULL)
    return;

  priv->n_values = crm_record_class_get_n_columns (klass);
  priv->values = g_new0 (GValue, priv->n_values);
  priv->changed = g_new0 (gboolean, priv->n_values);
  for (guint i = 0; i < priv->n_values; i++)
    value_from_default (column_at (klass, i), &priv->values[i]);
}

static void
crm_record_init (CrmRecord *self)
{
}

static GObject *
crm_record_constructor (GType                  type,
                        guint                  n_construct_properties,
                        GObjectConstructParam *construct_properties)
{
  GObjectClass *parent_class = G_OBJECT_CLASS (crm_record_parent_class);
  GObject *object = parent_class->constructor (type, n_construct_properties, construct_properties);

  ensure_values (CRM_RECORD (object));
  return object;
}

void
crm_record_class_set_table (CrmRecordClass  *klass,
                            const char      *table,
                            const CrmColumn *columns,
                            guint            n_columns)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  g_return_if_fail (klass->table == NULL);

  klass->table = table;
  klass->columns = columns;
  klass->n_columns = n_columns;
  object_class->constructor = crm_record_constructor;
  /* GObject does not inherit these; the subclass's properties are served
   * by the same generic storage. */
  object_class->get_property = crm_record_get_property;
  object_class->set_property = crm_record_set_property;

  for (guint i = 0; i < n_columns; i++)
    g_object_class_install_property (object_class, i + 1, column_pspec (&columns[i]));
}

static guint
require_column (CrmRecord  *self,
                const char *column)
{
  guint index = 0;

  if (crm_record_class_find_column (CRM_RECORD_GET_CLASS (self), column, &index) == NULL)
    g_critical ("%s has no column “%s”", G_OBJECT_TYPE_NAME (self), column);
  return index;
}

const char *
crm_record_get_string (CrmRecord  *self,
                       const char *column)
{
  const GValue *value = crm_record_peek_value (self, require_column (self, column));

  g_return_val_if_fail (G_VALUE_HOLDS_STRING (value), NULL);
  return g_value_get_string (value);
}

gint64
crm_record_get_int64 (CrmRecord  *self,
                      const char *column)
{
  const GValue *value = crm_record_peek_value (self, require_column (self, column));

  g_return_val_if_fail (G_VALUE_HOLDS_INT64 (value), 0);
  return g_value_get_int64 (value);
}

gboolean
crm_record_get_boolean (CrmRecord  *self,
                        const char *column)
{
  const GValue *value = crm_record_peek_value (self, require_column (self, column));

  g_return_val_if_fail (G_VALUE_HOLDS_BOOLEAN (value), FALSE);
  return g_value_get_boolean (value);
}

const char * const *
crm_record_get_strv (CrmRecord  *self,
                     const char *column)
{
  const GValue *value = crm_record_peek_value (self, require_column (self, column));

  g_return_val_if_fail (G_VALUE_HOLDS (value, G_TYPE_STRV), NULL);
  return g_value_get_boxed (value);
}

const char *
crm_record_get_id (CrmRecord *self)
{
  return g_value_get_string (crm_record_peek_value (self, CRM_RECORD_COLUMN_ID));
}

const char *
crm_record_get_created_at (CrmRecord *self)
{
  return g_value_get_string (crm_record_peek_value (self, CRM_RECORD_COLUMN_CREATED_AT));
}

const char *
crm_record_get_updated_at (CrmRecord *self)
{
  return g_value_get_string (crm_record_peek_value (self, CRM_RECORD_COLUMN_UPDATED_AT));
}

gint64
crm_record_get_server_version (CrmRecord *self)
{
  return g_value_get_int64 (crm_record_peek_value (self, CRM_RECORD_COLUMN_SERVER_VERSION));
}

gboolean
crm_record_get_deleted (CrmRecord *self)
{
  return g_value_get_boolean (crm_record_peek_value (self, CRM_RECORD_COLUMN_DELETED));
}

const char *
crm_record_get_owner_id (CrmRecord *self)
{
  return g_value_get_string (crm_record_peek_value (self, CRM_RECORD_COLUMN_OWNER_ID));
}

void
crm_record_set_owner_id (CrmRecord  *self,
                         const char *owner_id)
{
  crm_record_set_string_at (self, CRM_RECORD_COLUMN_OWNER_ID, owner_id);
}

gboolean
crm_record_is_changed (CrmRecord  *self,
                       const char *column)
{
  return crm_record_is_changed_at (self, require_column (self, column));
}

gboolean
crm_record_has_changes (CrmRecord *self)
{
  CrmRecordPrivate *priv = get_priv (self);

  for (guint i = 0; i < priv->n_values; i++)
    if (priv->changed[i])
      return TRUE;
  return FALSE;
}

void
crm_record_clear_changes (CrmRecord *self)
{
  CrmRecordPrivate *priv = get_priv (self);

  memset (priv->changed, 0, sizeof (gboolean) * priv->n_values);
}

/* --- JSON helpers ------------------------------------------------------ */

static char *
strv_to_json (const char * const *strv)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return crm_json_to_string (root);
}

static GStrv
strv_from_json (const char *text)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (element));
        }
    }
  return g_strv_builder_end (builder);
}

/* --- SQLite binding ---------------------------------------------------- */

void
crm_record_bind_column (CrmRecord    *self,
                        guint         index,
                        sqlite3_stmt *stmt,
                        int           param)
{
  const GValue *value = crm_record_peek_value (self, index);
  GType type;

  g_return_if_fail (value != NULL);
  type = G_VALUE_TYPE (value);

  if (type == G_TYPE_INT64)
    {
      const CrmColumn *column = column_at (CRM_RECORD_GET_CLASS (self), index);

      if ((column->flags & CRM_COLUMN_ZERO_IS_NULL) && g_value_get_int64 (value) == 0)
        sqlite3_bind_null (stmt, param);
      else
        sqlite3_bind_int64 (stmt, param, g_value_get_int64 (value));
    }
  else if (type == G_TYPE_BOOLEAN)
    sqlite3_bind_int (stmt, param, g_value_get_boolean (value) ? 1 : 0);
  else if (type == G_TYPE_STRV)
    sqlite3_bind_text (stmt, param, strv_to_json (g_value_get_boxed (value)), -1, g_free);
  else if (type == G_TYPE_BYTES)
    {
      GBytes *bytes = g_value_get_boxed (value);

      if (bytes == NULL)
        sqlite3_bind_null (stmt, param);
      else
        sqlite3_bind_blob (stmt, param, g_bytes_get_data (bytes, NULL),
                           (int) g_bytes_get_size (bytes), SQLITE_TRANSIENT);
    }
  else if (g_value_get_string (value) == NULL)
    sqlite3_bind_null (stmt, param);
  else
    sqlite3_bind_text (stmt, param, g_value_get_string (value), -1, SQLITE_TRANSIENT);
}

void
crm_record_load_column (CrmRecord    *self,
                        guint         index,
                        sqlite3_stmt *stmt,
                        int           column)
{
  CrmRecordPrivate *priv = get_priv (self);
  GValue *slot;
  GType type;
  gboolean is_null = sqlite3_column_type (stmt, column) == SQLITE_NULL;

  g_return_if_fail (index < priv->n_values);
  slot = &priv->values[index];
  type = G_VALUE_TYPE (slot);

  if (type == G_TYPE_INT64)
    g_value_set_int64 (slot, sqlite3_column_int64 (stmt, column));
  else if (type == G_TYPE_BOOLEAN)
    g_value_set_boolean (slot, sqlite3_column_int (stmt, column) != 0);
  else if (type == G_TYPE_STRV)
    g_value_take_boxed (slot, strv_from_json (is_null ? "[]" : (const char *) sqlite3_column_text (stmt, column)));
  else if (type == G_TYPE_BYTES)
    g_value_take_boxed (slot, is_null ? NULL : g_bytes_new (sqlite3_column_blob (stmt, column),
                                                            (gsize) sqlite3_column_bytes (stmt, column)));
  else
    g_value_set_string (slot, is_null ? NULL : (const char *) sqlite3_column_text (stmt, column));
  priv->changed[index] = FALSE;
}

/* --- Text form --------------------------------------------------------- */

static char *
phones_to_json (const char * const *e164,
                const char * const *raw)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; e164[i] != NULL; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "e164");
      json_builder_add_string_value (builder, e164[i]);
      json_builder_set_member_name (builder, "raw");
      json_builder_add_string_value (builder, raw[i]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return crm_json_to_string (root);
}

static gboolean
parse_field (const CrmColumn  *column,
             const char       *field,
             const char       *text,
             GValue           *value,
             GError          **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  gboolean empty = trimmed[0] == '\0';
  g_autofree char *parsed = NULL;

  g_value_init (value, column_gtype (column));

  if (empty && column->type != CRM_COLUMN_TAGS && column->type != CRM_COLUMN_EMAILS &&
      column->type != CRM_COLUMN_PHONES)
    {
      if (column->flags & CRM_COLUMN_REQUIRED)
        {
          g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                       _("%s: a value is required."), field);
          return FALSE;
        }
      if (column->default_value != NULL)
        {
          g_value_unset (value);
          value_from_default (column, value);
        }
      return TRUE;
    }

  switch (column->type)
    {
    case CRM_COLUMN_TEXT:
      g_value_set_string (value, trimmed);
      return TRUE;

    case CRM_COLUMN_ENUM:
      if (!g_strv_contains (column->values, trimmed))
        {
          g_autofree char *allowed = g_strjoinv (", ", (char **) column->values);

          g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                       _("%s: “%s” is not one of the allowed values (%s)."),
                       field, trimmed, allowed);
          return FALSE;
        }
      g_value_set_string (value, trimmed);
      return TRUE;

    case CRM_COLUMN_DATE:
      if (!crm_value_parse_date (field, trimmed, &parsed, error))
        return FALSE;
      g_value_set_string (value, parsed);
      return TRUE;

    case CRM_COLUMN_TIMESTAMP:
      if (!crm_value_parse_timestamp (field, trimmed, &parsed, error))
        return FALSE;
      g_value_set_string (value, parsed);
      return TRUE;

    case CRM_COLUMN_REF:
      if (!crm_uuid_is_valid (trimmed))
        {
          g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                       _("%s: “%s” is not a record id. Ids look like 0190c5e2-7b1c-7d3e-8f00-123456789abc."),
                       field, trimmed);
          return FALSE;
        }
      g_value_set_string (value, trimmed);
      return TRUE;

    case CRM_COLUMN_CURRENCY:
      {
        g_autofree char *upper = g_ascii_strup (trimmed, -1);

        if (strlen (upper) != 3 || !g_ascii_isalpha (upper[0]) ||
            !g_ascii_isalpha (upper[1]) || !g_ascii_isalpha (upper[2]))
          {
            g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                         _("%s: “%s” is not a currency code. Use a three-letter ISO 4217 code such as CNY or USD."),
                         field, trimmed);
            return FALSE;
          }
        g_value_set_string (value, upper);
        return TRUE;
      }

    case CRM_COLUMN_INT:
      {
        gint64 v;
        gint64 min = (column->flags & CRM_COLUMN_RANGE) ? column->min : G_MININT64;
        gint64 max = (column->flags & CRM_COLUMN_RANGE) ? column->max : G_MAXINT64;

        if (!crm_value_parse_int (field, trimmed, min, max, &v, error))
          return FALSE;
        g_value_set_int64 (value, v);
        return TRUE;
      }

    case CRM_COLUMN_MONEY:
      {
        gint64 v;

        if (!crm_value_parse_money (field, trimmed, &v, error))
          return FALSE;
        if ((column->flags & CRM_COLUMN_RANGE) && (v < column->min || v > column->max))
          {
            g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                         v < 0 ? _("%s: the amount “%s” is negative; it must be 0 or more.")
                               : _("%s: the amount “%s” is out of range."),
                         field, trimmed);
            return FALSE;
          }
        g_value_set_int64 (value, v);
        return TRUE;
      }

    case CRM_COLUMN_BOOL:
      {
        gboolean v;

        if (!crm_value_parse_bool (field, trimmed, &v, error))
          return FALSE;
        g_value_set_boolean (value, v);
        return TRUE;
      }

    case CRM_COLUMN_TAGS:
    case CRM_COLUMN_EMAILS:
      {
        g_auto(GStrv) items = crm_value_split_list (trimmed);
        g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
        g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

        for (guint i = 0; items[i] != NULL; i++)
          {
            g_autofree char *item = NULL;

            if (column->type == CRM_COLUMN_EMAILS)
              {
                if (!crm_value_parse_email (field, items[i], &item, error))
                  return FALSE;
              }
            else
              item = g_strdup (items[i]);
            if (g_hash_table_add (seen, g_strdup (item)))
              g_strv_builder_add (builder, item);
          }
        g_value_take_boxed (value, g_strv_builder_end (builder));
        return TRUE;
      }

    case CRM_COLUMN_PHONES:
      {
        g_auto(GStrv) items = crm_value_split_list (trimmed);
        g_autoptr(GPtrArray) e164 = g_ptr_array_new_null_terminated (0, g_free, TRUE);

        for (guint i = 0; items[i] != NULL; i++)
          {
            char *number = NULL;

            if (!crm_value_parse_phone (field, items[i], &number, error))
              return FALSE;
            g_ptr_array_add (e164, number);
          }
        g_value_take_string (value, phones_to_json ((const char * const *) e164->pdata,
                                                    (const char * const *) items));
        return TRUE;
      }

    case CRM_COLUMN_JSON:
      {
        g_autoptr(JsonParser) parser = json_parser_new ();
        g_autoptr(GError) json_error = NULL;

        if (!json_parser_load_from_data (parser, trimmed, -1, &json_error))
          {
            g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                         _("%s: the value is not valid JSON (%s)."), field, json_error->message);
            return FALSE;
          }
        g_value_set_string (value, trimmed);
        return TRUE;
      }

    case CRM_COLUMN_HLC:
    case CRM_COLUMN_BYTES:
    default:
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("%s is computed by CRM and cannot be set."), field);
      return FALSE;
    }
}

gboolean
crm_record_set_field_from_string (CrmRecord   *self,
                                  const char  *field,
                                  const char  *value,
                                  GError     **error)
{
  CrmRecordClass *klass = CRM_RECORD_GET_CLASS (self);
  g_auto(GValue) parsed = G_VALUE_INIT;
  const CrmColumn *column;
  guint index;

  g_return_val_if_fail (CRM_IS_RECORD (self), FALSE);

  column = crm_record_class_find_column (klass, field, &index);
  if (column == NULL)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("“%s” is not a field of %s. Run “crmctl contact get ID” to see the fields."),
                   field, klass->table);
      return FALSE;
    }
  if (column->flags & CRM_COLUMN_DERIVED)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("%s is computed by CRM and cannot be set."), field);
      return FALSE;
    }

  if (!parse_field (column, field, value, &parsed, error))
    return FALSE;

  crm_record_set_value (self, index, &parsed);
  return TRUE;
}

char *
crm_record_dup_field_as_string (CrmRecord  *self,
                                const char *field)
{
  guint index;
  const CrmColumn *column = crm_record_class_find_column (CRM_RECORD_GET_CLASS (self), field, &index);
  const GValue *value;

  /* Not g_return_val_if_fail(): field names reach here from templates and
   * command lines, so this must hold even where checks are compiled out. */
  if (column == NULL)
    {
      g_critical ("%s has no field “%s”", G_OBJECT_TYPE_NAME (self), field ? field : "(null)");
      return NULL;
    }
  value = crm_record_peek_value (self, index);

  switch (column->type)
    {
    case CRM_COLUMN_INT:
      if ((column->flags & CRM_COLUMN_ZERO_IS_NULL) && g_value_get_int64 (value) == 0)
        return g_strdup ("");
      return g_strdup_printf ("%" G_GINT64_FORMAT, g_value_get_int64 (value));
    case CRM_COLUMN_MONEY:
      return crm_value_format_money (g_value_get_int64 (value));
    case CRM_COLUMN_BOOL:
      return g_strdup (g_value_get_boolean (value) ? "true" : "false");
    case CRM_COLUMN_TAGS:
    case CRM_COLUMN_EMAILS:
      {
        const char * const *strv = g_value_get_boxed (value);

        return strv ? g_strjoinv (", ", (char **) strv) : g_strdup ("");
      }
    case CRM_COLUMN_PHONES:
      {
        g_autoptr(JsonNode) node = json_from_string (g_value_get_string (value), NULL);
        g_autoptr(GPtrArray) numbers = g_ptr_array_new_null_terminated (0, NULL, TRUE);

        if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
          {
            JsonArray *array = json_node_get_array (node);

            for (guint i = 0; i < json_array_get_length (array); i++)
              {
                JsonNode *element = json_array_get_element (array, i);

                if (JSON_NODE_HOLDS_OBJECT (element))
                  g_ptr_array_add (numbers, (gpointer) json_object_get_string_member_with_default (json_node_get_object (element), "e164", ""));
              }
          }
        return g_strjoinv (", ", (char **) numbers->pdata);
      }
    case CRM_COLUMN_BYTES:
      return g_strdup ("");
    case CRM_COLUMN_TEXT:
    case CRM_COLUMN_ENUM:
    case CRM_COLUMN_DATE:
    case CRM_COLUMN_TIMESTAMP:
    case CRM_COLUMN_HLC:
    case CRM_COLUMN_REF:
    case CRM_COLUMN_CURRENCY:
    case CRM_COLUMN_JSON:
    default:
      return g_strdup (g_value_get_string (value) ? g_value_get_string (value) : "");
    }
}

JsonNode *
crm_record_to_json (CrmRecord *self)
{
  CrmRecordClass *klass = CRM_RECORD_GET_CLASS (self);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint n = crm_record_class_get_n_columns (klass);

  json_builder_begin_object (builder);
  for (guint i = 0; i < n; i++)
    {
      const CrmColumn *column = column_at (klass, i);
      const GValue *value = crm_record_peek_value (self, i);

      if (column->type == CRM_COLUMN_BYTES)
        continue;
      json_builder_set_member_name (builder, column->name);
      switch (column->type)
        {
        case CRM_COLUMN_INT:
        case CRM_COLUMN_MONEY:
          if ((column->flags & CRM_COLUMN_ZERO_IS_NULL) && g_value_get_int64 (value) == 0)
            json_builder_add_null_value (builder);
          else
            json_builder_add_int_value (builder, g_value_get_int64 (value));
          break;
        case CRM_COLUMN_BOOL:
          json_builder_add_boolean_value (builder, g_value_get_boolean (value));
          break;
        case CRM_COLUMN_TAGS:
        case CRM_COLUMN_EMAILS:
          {
            const char * const *strv = g_value_get_boxed (value);

            json_builder_begin_array (builder);
            for (guint j = 0; strv != NULL && strv[j] != NULL; j++)
              json_builder_add_string_value (builder, strv[j]);
            json_builder_end_array (builder);
          }
          break;
        case CRM_COLUMN_PHONES:
        case CRM_COLUMN_JSON:
          {
            JsonNode *node = g_value_get_string (value) ? json_from_string (g_value_get_string (value), NULL) : NULL;

            if (node != NULL)
              json_builder_add_value (builder, node);
            else
              json_builder_add_null_value (builder);
          }
          break;
        case CRM_COLUMN_TEXT:
        case CRM_COLUMN_ENUM:
        case CRM_COLUMN_DATE:
        case CRM_COLUMN_TIMESTAMP:
        case CRM_COLUMN_HLC:
        case CRM_COLUMN_REF:
        case CRM_COLUMN_CURRENCY:
        case CRM_COLUMN_BYTES:
        default:
          if (g_value_get_string (value) != NULL)
            json_builder_add_string_value (builder, g_value_get_string (value));
          else
            json_builder_add_null_value (builder);
          break;
        }
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
crm_record_validate (CrmRecord  *self,
                     GError    **error)
{
  CrmRecordClass *klass = CRM_RECORD_GET_CLASS (self);
  guint n = crm_record_class_get_n_columns (klass);

  /* Values set through properties skipped the text parser; check the
   * rules that do not depend on the text form again here. */
  for (guint i = 0; i < n; i++)
    {
      const CrmColumn *column = column_at (klass, i);
      const GValue *value = crm_record_peek_value (self, i);

      if (G_VALUE_HOLDS_STRING (value))
        {
          const char *s = g_value_get_string (value);
          g_autofree char *tmp = NULL;

          if (s == NULL || *s == '\0')
            {
              if (column->flags & CRM_COLUMN_REQUIRED)
                {
                  g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                               _("%s: a value is required."), column->name);
                  return FALSE;
                }
              continue;
            }

          switch (column->type)
            {
            case CRM_COLUMN_ENUM:
            case CRM_COLUMN_DATE:
            case CRM_COLUMN_REF:
            case CRM_COLUMN_CURRENCY:
            case CRM_COLUMN_JSON:
              {
                g_auto(GValue) parsed = G_VALUE_INIT;

                if (!parse_field (column, column->name, s, &parsed, error))
                  return FALSE;
              }
              break;
            case CRM_COLUMN_TIMESTAMP:
              if (!crm_value_parse_timestamp (column->name, s, &tmp, error))
                return FALSE;
              break;
            case CRM_COLUMN_TEXT:
              {
                glong max_chars = column->max > 0 ? (glong) column->max : CRM_TEXT_MAX_CHARS;
                glong n_chars = g_utf8_strlen (s, -1);

                if (n_chars > max_chars)
                  {
                    g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                                 _("%s: the text is %ld characters long; at most %ld fit."),
                                 column->name, n_chars, max_chars);
                    return FALSE;
                  }
              }
              break;
            case CRM_COLUMN_HLC:
            case CRM_COLUMN_PHONES:
            case CRM_COLUMN_INT:
            case CRM_COLUMN_MONEY:
            case CRM_COLUMN_BOOL:
            case CRM_COLUMN_TAGS:
            case CRM_COLUMN_EMAILS:
            case CRM_COLUMN_BYTES:
            default:
              break;
            }
        }
      else if (G_VALUE_HOLDS_INT64 (value) && (column->flags & CRM_COLUMN_RANGE))
        {
          gint64 v = g_value_get_int64 (value);

          if ((v < column->min || v > column->max) &&
              !(v == 0 && (column->flags & CRM_COLUMN_ZERO_IS_NULL)))
            {
              g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("%s: %" PRId64 " is out of range; it must be between %" PRId64 " and %" PRId64 "."),
                           column->name, v, column->min, column->max);
              return FALSE;
            }
        }
      else if (G_VALUE_HOLDS (value, G_TYPE_STRV) && column->type == CRM_COLUMN_EMAILS)
        {
          const char * const *strv = g_value_get_boxed (value);

          for (guint j = 0; strv != NULL && strv[j] != NULL; j++)
            {
              g_autofree char *email = NULL;

              if (!crm_value_parse_email (column->name, strv[j], &email, error))
                return FALSE;
            }
        }
    }

  if (klass->validate != NULL)
    return klass->validate (self, error);
  return TRUE;
}
