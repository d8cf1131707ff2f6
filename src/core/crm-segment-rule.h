/* crm-segment-rule.h: segment rules (JSON) validated and compiled to a parameterised SQL predicate */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define CRM_SEGMENT_RULE_ERROR (crm_segment_rule_error_quark ())

typedef enum
{
  CRM_SEGMENT_RULE_ERROR_SYNTAX,    /* not JSON */
  CRM_SEGMENT_RULE_ERROR_INVALID,   /* JSON, but not a rule: the message says where and what */
} CrmSegmentRuleError;

GQuark crm_segment_rule_error_quark (void);

/* A rule is a group: {"all": [ITEM…]} (every item holds) or {"any": [ITEM…]}
 * (at least one). An item is a group or a condition
 * {"field": F, "op": OP, "value": V} (plus "within_days": N for purchase and
 * activity facts). Fields and the operators each takes are listed by
 * crm_segment_rule_get_fields(); the reference in docs/segment-rules.md.
 *
 * NULL handling: eq, lt, contains … never match a contact without a value;
 * ne, not_in and not_contains do (a contact without a city is "not in
 * Beijing"); is_set / is_not_set test for a value. */

typedef enum
{
  CRM_SEGMENT_FIELD_TEXT,      /* free text: eq ne in not_in contains not_contains starts_with is_set is_not_set */
  CRM_SEGMENT_FIELD_ENUM,      /* one of fixed values: eq ne in not_in is_set is_not_set */
  CRM_SEGMENT_FIELD_TAGS,      /* has has_any has_all has_none is_set is_not_set */
  CRM_SEGMENT_FIELD_BOOL,      /* eq ne (true/false) */
  CRM_SEGMENT_FIELD_NUMBER,    /* eq ne lt le gt ge between is_set is_not_set */
  CRM_SEGMENT_FIELD_DATE,      /* before after (YYYY-MM-DD) within_days not_within_days is_set is_not_set */
  CRM_SEGMENT_FIELD_PURCHASE,  /* eq in contains (bought) ne not_in not_contains (never bought), within_days */
  CRM_SEGMENT_FIELD_EXISTS,    /* eq (true/false), within_days */
  CRM_SEGMENT_FIELD_SCORE,     /* eq lt le gt ge between, within_days */
} CrmSegmentFieldKind;

typedef struct
{
  const char *name;             /* as in the rule JSON */
  CrmSegmentFieldKind kind;
  const char *label;            /* N_() text; translate with _() */
  const char * const *values;   /* allowed values of ENUM fields, else NULL */
} CrmSegmentField;

const CrmSegmentField *crm_segment_rule_get_fields  (guint       *n_fields);
const CrmSegmentField *crm_segment_rule_find_field  (const char  *name);
/* The operators a kind of field takes, NULL-terminated. */
const char * const    *crm_segment_rule_get_ops     (CrmSegmentFieldKind kind);

typedef struct _CrmSegmentQuery CrmSegmentQuery;

/* Validates @rule_json and compiles it to a predicate over `contacts AS c`
 * whose values are all parameters (nothing of the rule is pasted into the
 * SQL). Relative conditions (age, within_days) count from @reference_date
 * ("YYYY-MM-DD", NULL for today). */
CrmSegmentQuery *crm_segment_query_new          (const char       *rule_json,
                                                 const char       *reference_date,
                                                 GError          **error);
CrmSegmentQuery *crm_segment_query_new_from_node (JsonNode        *rule,
                                                 const char       *reference_date,
                                                 GError          **error);
void             crm_segment_query_free         (CrmSegmentQuery  *self);
/* "(…)" to put after WHERE, with ? placeholders numbered by position. */
const char      *crm_segment_query_get_predicate (CrmSegmentQuery *self);
/* "c.deleted = 0" written so that SQLite picks the faster plan for this
 * rule; AND it with the predicate to count live contacts. */
const char      *crm_segment_query_get_live_condition (CrmSegmentQuery *self);
guint            crm_segment_query_get_n_params (CrmSegmentQuery  *self);
/* Binds the predicate's values to @stmt's parameters @first_index,
 * @first_index + 1, …; returns the next free index. */
int              crm_segment_query_bind         (CrmSegmentQuery  *self,
                                                 sqlite3_stmt     *stmt,
                                                 int               first_index);

/* Just the validation: TRUE or an error with the path and the problem. */
gboolean         crm_segment_rule_validate      (const char       *rule_json,
                                                 GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSegmentQuery, crm_segment_query_free)

G_END_DECLS
