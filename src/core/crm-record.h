/* crm-record.h: base class of every stored entity, with change tracking and field parsing */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * CrmColumnType:
 * How a column is stored and how its text form is parsed:
 * @CRM_COLUMN_TEXT: free text (a string property), at most #CrmColumn.max
 *   characters when that is set, else %CRM_TEXT_MAX_CHARS
 * @CRM_COLUMN_ENUM: one of #CrmColumn.values (string)
 * @CRM_COLUMN_DATE: YYYY-MM-DD (string)
 * @CRM_COLUMN_TIMESTAMP: ISO 8601 UTC, e.g. 2024-03-05T08:00:00Z (string)
 * @CRM_COLUMN_HLC: hybrid logical clock text, set by the store (string)
 * @CRM_COLUMN_REF: the id of another record (string)
 * @CRM_COLUMN_INT: an integer within #CrmColumn.min..max (gint64)
 * @CRM_COLUMN_MONEY: minor units, e.g. fen (gint64); text form "12.34"
 * @CRM_COLUMN_BOOL: (gboolean)
 * @CRM_COLUMN_CURRENCY: ISO 4217 code (string)
 * @CRM_COLUMN_TAGS: list of strings, stored as a JSON array (GStrv)
 * @CRM_COLUMN_EMAILS: list of email addresses, stored as a JSON array (GStrv)
 * @CRM_COLUMN_PHONES: JSON array of {"e164", "raw"} objects (string)
 * @CRM_COLUMN_JSON: any JSON text (string)
 * @CRM_COLUMN_BYTES: binary, e.g. a sort key (GBytes)
 */
typedef enum
{
  CRM_COLUMN_TEXT,
  CRM_COLUMN_ENUM,
  CRM_COLUMN_DATE,
  CRM_COLUMN_TIMESTAMP,
  CRM_COLUMN_HLC,
  CRM_COLUMN_REF,
  CRM_COLUMN_INT,
  CRM_COLUMN_MONEY,
  CRM_COLUMN_BOOL,
  CRM_COLUMN_CURRENCY,
  CRM_COLUMN_TAGS,
  CRM_COLUMN_EMAILS,
  CRM_COLUMN_PHONES,
  CRM_COLUMN_JSON,
  CRM_COLUMN_BYTES,
} CrmColumnType;

/**
 * CrmColumnFlags:
 * @CRM_COLUMN_REQUIRED: must not be NULL or empty
 * @CRM_COLUMN_DERIVED: computed by the store; cannot be set by field name
 * @CRM_COLUMN_RANGE: #CrmColumn.min and max bound an INT or MONEY column
 * @CRM_COLUMN_ZERO_IS_NULL: an INT column whose 0 means "not set" (stored
 *   as NULL), for scores such as satisfaction 1–5
 */
/* The longest free text a field takes (a long note is ~10,000): bounds what
 * a pasted file or a hostile peer can put in one cell. */
#define CRM_TEXT_MAX_CHARS 100000

typedef enum
{
  CRM_COLUMN_FLAGS_NONE = 0,
  CRM_COLUMN_REQUIRED = 1 << 0,
  CRM_COLUMN_DERIVED = 1 << 1,
  CRM_COLUMN_RANGE = 1 << 2,
  CRM_COLUMN_ZERO_IS_NULL = 1 << 3,
} CrmColumnFlags;

typedef struct
{
  const char *name;            /* column name, snake_case; the property is kebab-case */
  CrmColumnType type;
  CrmColumnFlags flags;
  const char *default_value;   /* text form of the column's SQL default, or NULL */
  const char * const *values;  /* %CRM_COLUMN_ENUM: the allowed values */
  gint64 min;
  gint64 max;
} CrmColumn;

#define CRM_TYPE_RECORD (crm_record_get_type ())
G_DECLARE_DERIVABLE_TYPE (CrmRecord, crm_record, CRM, RECORD, GObject)

struct _CrmRecordClass
{
  GObjectClass parent_class;

  /*< private >*/
  const char *table;
  const CrmColumn *columns;
  guint n_columns;

  /*< public >*/
  /* Checks that need several fields; single values are checked by the base. */
  gboolean (*validate)      (CrmRecord  *self,
                             GError    **error);
  /* Fills derived columns before the store writes the record. */
  void     (*prepare_write) (CrmRecord  *self);

  /*< private >*/
  gpointer padding[8];
};

/* For subclasses' class_init: installs one property per column. */
void              crm_record_class_set_table        (CrmRecordClass   *klass,
                                                     const char       *table,
                                                     const CrmColumn  *columns,
                                                     guint             n_columns);
const char       *crm_record_class_get_table        (CrmRecordClass   *klass);
guint             crm_record_class_get_n_columns    (CrmRecordClass   *klass);
const CrmColumn  *crm_record_class_get_column       (CrmRecordClass   *klass,
                                                     guint             index);
const CrmColumn  *crm_record_class_find_column      (CrmRecordClass   *klass,
                                                     const char       *name,
                                                     guint            *out_index);

const char       *crm_record_get_id                 (CrmRecord        *self);
const char       *crm_record_get_created_at         (CrmRecord        *self);
const char       *crm_record_get_updated_at         (CrmRecord        *self);
gint64            crm_record_get_server_version     (CrmRecord        *self);
gboolean          crm_record_get_deleted            (CrmRecord        *self);
const char       *crm_record_get_owner_id           (CrmRecord        *self);
void              crm_record_set_owner_id           (CrmRecord        *self,
                                                     const char       *owner_id);

/* Typed access by column name (snake_case or kebab-case). */
const char       *crm_record_get_string             (CrmRecord        *self,
                                                     const char       *column);
gint64            crm_record_get_int64              (CrmRecord        *self,
                                                     const char       *column);
gboolean          crm_record_get_boolean            (CrmRecord        *self,
                                                     const char       *column);
const char * const *crm_record_get_strv             (CrmRecord        *self,
                                                     const char       *column);

/* Field-level access for crmctl and import: parses and validates @value
 * (empty clears an optional field) and fails with CRM_STORE_ERROR_INVALID
 * naming the field and saying what is wrong. */
gboolean          crm_record_set_field_from_string  (CrmRecord        *self,
                                                     const char       *field,
                                                     const char       *value,
                                                     GError          **error);
char             *crm_record_dup_field_as_string    (CrmRecord        *self,
                                                     const char       *field);
JsonNode         *crm_record_to_json                (CrmRecord        *self);

gboolean          crm_record_validate               (CrmRecord        *self,
                                                     GError          **error);
gboolean          crm_record_is_changed             (CrmRecord        *self,
                                                     const char       *column);
gboolean          crm_record_has_changes            (CrmRecord        *self);
void              crm_record_clear_changes          (CrmRecord        *self);

G_END_DECLS
