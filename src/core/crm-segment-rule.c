/* crm-segment-rule.c: segment rules (JSON) validated and compiled to a parameterised SQL predicate
 *
 * The SQL is assembled only from the constant fragments in this file; every
 * value of the rule (texts, numbers, dates) becomes a bound parameter. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "crm-segment-rule.h"

G_DEFINE_QUARK (crm-segment-rule-error-quark, crm_segment_rule_error)

#define MAX_DEPTH 16
#define MAX_LIST 1000

static const char * const genders[] = { "male", "female", "other", NULL };
static const char * const lifecycles[] = { "lead", "first_time", "frequent", "active", "dormant", "churned", NULL };
static const char * const rfm_segments[] = { "champions", "loyal", "potential", "new", "at_risk", "hibernating", "lost", NULL };
static const char * const kinds[] = { "person", "organization", NULL };

/* What each field compiles to. `sql` is a constant expression over
 * `contacts AS c`; for PURCHASE fields a column of `purchases AS p`. */
typedef struct
{
  CrmSegmentField pub;
  const char *sql;
} FieldDef;

static const FieldDef fields[] = {
  { { "name", CRM_SEGMENT_FIELD_TEXT, N_("Name"), NULL }, "c.name" },
  { { "kind", CRM_SEGMENT_FIELD_ENUM, N_("Kind"), kinds }, "c.kind" },
  { { "gender", CRM_SEGMENT_FIELD_ENUM, N_("Gender"), genders }, "c.gender" },
  { { "age", CRM_SEGMENT_FIELD_NUMBER, N_("Age"), NULL }, "c.birthday" },
  { { "province", CRM_SEGMENT_FIELD_TEXT, N_("Province"), NULL }, "c.province" },
  { { "city", CRM_SEGMENT_FIELD_TEXT, N_("City"), NULL }, "c.city" },
  { { "occupation", CRM_SEGMENT_FIELD_TEXT, N_("Occupation"), NULL }, "c.occupation" },
  { { "title", CRM_SEGMENT_FIELD_TEXT, N_("Job title"), NULL }, "c.title" },
  { { "source", CRM_SEGMENT_FIELD_TEXT, N_("Source"), NULL }, "c.source" },
  { { "owner", CRM_SEGMENT_FIELD_TEXT, N_("Owner"), NULL }, "c.owner_id" },
  { { "tags", CRM_SEGMENT_FIELD_TAGS, N_("Tags"), NULL }, "c.tags" },
  { { "consent_email", CRM_SEGMENT_FIELD_BOOL, N_("Email consent"), NULL }, "c.consent_email" },
  { { "consent_sms", CRM_SEGMENT_FIELD_BOOL, N_("SMS consent"), NULL }, "c.consent_sms" },
  { { "lifecycle", CRM_SEGMENT_FIELD_ENUM, N_("Lifecycle stage"), lifecycles }, "coalesce (c.lifecycle_override, c.lifecycle)" },
  { { "rfm_segment", CRM_SEGMENT_FIELD_ENUM, N_("RFM segment"), rfm_segments }, "c.rfm_segment" },
  { { "rfm_r", CRM_SEGMENT_FIELD_NUMBER, N_("RFM recency score"), NULL }, "c.rfm_r" },
  { { "rfm_f", CRM_SEGMENT_FIELD_NUMBER, N_("RFM frequency score"), NULL }, "c.rfm_f" },
  { { "rfm_m", CRM_SEGMENT_FIELD_NUMBER, N_("RFM monetary score"), NULL }, "c.rfm_m" },
  { { "total_spent", CRM_SEGMENT_FIELD_NUMBER, N_("Total spent"), NULL }, "c.total_spent" },
  { { "purchase_count", CRM_SEGMENT_FIELD_NUMBER, N_("Number of purchases"), NULL }, "c.purchase_count" },
  { { "first_purchase", CRM_SEGMENT_FIELD_DATE, N_("First purchase"), NULL }, "c.first_purchase_at" },
  { { "last_purchase", CRM_SEGMENT_FIELD_DATE, N_("Last purchase"), NULL }, "c.last_purchase_at" },
  { { "bought_product", CRM_SEGMENT_FIELD_PURCHASE, N_("Bought product"), NULL }, "p.product" },
  { { "bought_category", CRM_SEGMENT_FIELD_PURCHASE, N_("Bought category"), NULL }, "p.category" },
  { { "had_complaint", CRM_SEGMENT_FIELD_EXISTS, N_("Had a complaint"), NULL },
    "EXISTS (SELECT 1 FROM activities a WHERE a.contact_id = c.id AND a.deleted = 0 AND a.kind = 'complaint'" },
  { { "survey_score", CRM_SEGMENT_FIELD_SCORE, N_("Survey score"), NULL },
    "EXISTS (SELECT 1 FROM survey_responses r JOIN survey_answers sa ON sa.response_id = r.id"
    " JOIN survey_questions q ON q.id = sa.question_id"
    " WHERE r.contact_id = c.id AND r.deleted = 0 AND sa.deleted = 0"
    " AND q.kind IN ('nps', 'csat', 'rating') AND sa.value_number IS NOT NULL" },
};

static const char * const text_ops[] = { "eq", "ne", "in", "not_in", "contains", "not_contains", "starts_with", "is_set", "is_not_set", NULL };
static const char * const enum_ops[] = { "eq", "ne", "in", "not_in", "is_set", "is_not_set", NULL };
static const char * const tags_ops[] = { "has", "has_any", "has_all", "has_none", "is_set", "is_not_set", NULL };
static const char * const bool_ops[] = { "eq", "ne", NULL };
static const char * const number_ops[] = { "eq", "ne", "lt", "le", "gt", "ge", "between", "is_set", "is_not_set", NULL };
static const char * const date_ops[] = { "before", "after", "within_days", "not_within_days", "is_set", "is_not_set", NULL };
static const char * const purchase_ops[] = { "eq", "in", "contains", "ne", "not_in", "not_contains", NULL };
static const char * const exists_ops[] = { "eq", NULL };
static const char * const score_ops[] = { "eq", "lt", "le", "gt", "ge", "between", NULL };

const char * const *
crm_segment_rule_get_ops (CrmSegmentFieldKind kind)
{
  switch (kind)
    {
    case CRM_SEGMENT_FIELD_TEXT: return text_ops;
    case CRM_SEGMENT_FIELD_ENUM: return enum_ops;
    case CRM_SEGMENT_FIELD_TAGS: return tags_ops;
    case CRM_SEGMENT_FIELD_BOOL: return bool_ops;
    case CRM_SEGMENT_FIELD_NUMBER: return number_ops;
    case CRM_SEGMENT_FIELD_DATE: return date_ops;
    case CRM_SEGMENT_FIELD_PURCHASE: return purchase_ops;
    case CRM_SEGMENT_FIELD_EXISTS: return exists_ops;
    case CRM_SEGMENT_FIELD_SCORE: return score_ops;
    default: g_assert_not_reached ();
    }
}

const CrmSegmentField *
crm_segment_rule_get_fields (guint *n_fields)
{
  /* FieldDef starts with the public part; hand out a plain array of it. */
  static CrmSegmentField pub[G_N_ELEMENTS (fields)];
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        pub[i] = fields[i].pub;
      g_once_init_leave (&initialized, 1);
    }
  *n_fields = G_N_ELEMENTS (fields);
  return pub;
}

static const FieldDef *
find_field (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_str_equal (fields[i].pub.name, name))
      return &fields[i];
  return NULL;
}

const CrmSegmentField *
crm_segment_rule_find_field (const char *name)
{
  guint n;
  const CrmSegmentField *all = crm_segment_rule_get_fields (&n);

  for (guint i = 0; i < n; i++)
    if (g_str_equal (all[i].name, name))
      return &all[i];
  return NULL;
}

struct _CrmSegmentQuery
{
  GString *sql;
  GPtrArray *params;   /* GVariant: s, x or d */
  gboolean selective_index;
};

typedef struct
{
  CrmSegmentQuery *query;
  GDate reference;
  GString *path;
} Compiler;

static gboolean G_GNUC_PRINTF (3, 4)
fail (Compiler   *c,
      GError    **error,
      const char *format,
      ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  /* TRANSLATORS: "all[1].value: …": where in the rule, then what is wrong */
  g_set_error (error, CRM_SEGMENT_RULE_ERROR, CRM_SEGMENT_RULE_ERROR_INVALID,
               _("%s: %s"), c->path->len > 0 ? c->path->str : _("rule"), what);
  return FALSE;
}

static void
add_param (Compiler *c,
           GVariant *value)
{
  g_ptr_array_add (c->query->params, g_variant_ref_sink (value));
  g_string_append_c (c->query->sql, '?');
}

static void
emit (Compiler   *c,
      const char *sql)
{
  g_string_append (c->query->sql, sql);
}

static char *
date_string (const GDate *date)
{
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

/* The reference date minus @years (29 February becomes the 28th), as
 * text: everyone born on or before it is at least @years old. */
static GVariant *
born_by (Compiler *c,
         gint64    years)
{
  GDate d = c->reference;
  g_autofree char *text = NULL;

  g_date_subtract_years (&d, (guint) years);
  text = date_string (&d);
  return g_variant_new_string (text);
}

static GVariant *
days_before_reference (Compiler *c,
                       gint64    days)
{
  GDate d = c->reference;
  g_autofree char *text = NULL;

  g_date_subtract_days (&d, (guint) days);
  text = date_string (&d);
  return g_variant_new_string (text);
}

static const char *
json_kind_name (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return _("an object");
  if (JSON_NODE_HOLDS_ARRAY (node))
    return _("a list");
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN: return _("true/false");
    case G_TYPE_STRING: return _("a text");
    default: return _("a number");
    }
}

static gboolean
get_string (Compiler    *c,
            JsonNode    *node,
            const char **out,
            GError     **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (c, error, _("expected a text, got %s"), json_kind_name (node));
  *out = json_node_get_string (node);
  if (**out == '\0')
    return fail (c, error, _("the text is empty"));
  return TRUE;
}

static gboolean
get_number (Compiler *c,
            JsonNode *node,
            double   *out,
            GError  **error)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fail (c, error, _("expected a number, got %s"), json_kind_name (node));
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *out = (double) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else
    return fail (c, error, _("expected a number, got %s"), json_kind_name (node));
  if (!isfinite (*out) || fabs (*out) > 1e15)
    return fail (c, error, _("the number is out of range"));
  return TRUE;
}

static gboolean
get_whole (Compiler *c,
           JsonNode *node,
           gint64    min,
           gint64    max,
           gint64   *out,
           GError  **error)
{
  double d;

  if (!get_number (c, node, &d, error))
    return FALSE;
  if (d != floor (d))
    return fail (c, error, _("expected a whole number, got %g"), d);
  if (d < min || d > max)
    return fail (c, error, _("%g is out of range (%" PRId64 "–%" PRId64 ")"), d, min, max);
  *out = (gint64) d;
  return TRUE;
}

static gboolean
get_bool (Compiler *c,
          JsonNode *node,
          gboolean *out,
          GError  **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fail (c, error, _("expected true or false, got %s"), json_kind_name (node));
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
get_date (Compiler *c,
          JsonNode *node,
          GDate    *out,
          GError  **error)
{
  const char *text;
  int y, m, d;
  char tail;

  if (!get_string (c, node, &text, error))
    return FALSE;
  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || strlen (text) != 10 ||
      !g_date_valid_dmy (d, m, y))
    return fail (c, error, _("expected a date YYYY-MM-DD, got “%s”"), text);
  g_date_clear (out, 1);
  g_date_set_dmy (out, d, m, y);
  return TRUE;
}

static gboolean
check_enum_value (Compiler       *c,
                  const FieldDef *field,
                  const char     *value,
                  GError        **error)
{
  g_autofree char *allowed = NULL;

  if (field->pub.kind != CRM_SEGMENT_FIELD_ENUM || g_strv_contains (field->pub.values, value))
    return TRUE;
  allowed = g_strjoinv (", ", (char **) field->pub.values);
  return fail (c, error, _("“%s” is not one of %s"), value, allowed);
}

/* A non-empty list of texts, each bound as a parameter: "?, ?, ?". */
static gboolean
emit_text_list (Compiler       *c,
                const FieldDef *field,
                JsonNode       *node,
                guint          *out_n,
                GError        **error)
{
  JsonArray *array;
  guint n;
  gsize path_len = c->path->len;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return fail (c, error, _("expected a list of texts, got %s"), json_kind_name (node));
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0)
    return fail (c, error, _("the list is empty"));
  if (n > MAX_LIST)
    return fail (c, error, _("the list has more than %d values"), MAX_LIST);
  for (guint i = 0; i < n; i++)
    {
      const char *text;

      g_string_append_printf (c->path, "[%u]", i);
      if (!get_string (c, json_array_get_element (array, i), &text, error) ||
          !check_enum_value (c, field, text, error))
        return FALSE;
      g_string_truncate (c->path, path_len);
      if (i > 0)
        emit (c, ", ");
      add_param (c, g_variant_new_string (text));
    }
  *out_n = n;
  return TRUE;
}

static gboolean
get_range (Compiler *c,
           JsonNode *node,
           double    out[2],
           GError  **error)
{
  JsonArray *array;
  gsize path_len = c->path->len;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (array = json_node_get_array (node)) != 2)
    return fail (c, error, _("expected [lowest, highest], got %s"), json_kind_name (node));
  for (guint i = 0; i < 2; i++)
    {
      g_string_append_printf (c->path, "[%u]", i);
      if (!get_number (c, json_array_get_element (array, i), &out[i], error))
        return FALSE;
      g_string_truncate (c->path, path_len);
    }
  if (out[0] > out[1])
    return fail (c, error, _("the lowest value %g is above the highest %g"), out[0], out[1]);
  return TRUE;
}

static GVariant *
number_param (const FieldDef *field,
              double          value)
{
  /* Money is written in yuan, stored in fen. */
  if (g_str_equal (field->pub.name, "total_spent"))
    return g_variant_new_int64 ((gint64) llround (value * 100));
  if (value == floor (value))
    return g_variant_new_int64 ((gint64) value);
  return g_variant_new_double (value);
}

static gboolean
compile_text (Compiler       *c,
              const FieldDef *field,
              const char     *op,
              JsonNode       *value,
              GError        **error)
{
  const char *e = field->sql;
  const char *text;
  guint n;

  if (g_str_equal (op, "is_set") || g_str_equal (op, "is_not_set"))
    {
      g_string_append_printf (c->query->sql,
                              g_str_equal (op, "is_set") ? "(%s IS NOT NULL AND %s <> '')" : "(%s IS NULL OR %s = '')",
                              e, e);
      return TRUE;
    }
  if (g_str_equal (op, "in") || g_str_equal (op, "not_in"))
    {
      g_string_append_printf (c->query->sql,
                              g_str_equal (op, "in") ? "%s IN (" : "(%s IS NULL OR %s NOT IN (", e, e);
      if (!emit_text_list (c, field, value, &n, error))
        return FALSE;
      emit (c, g_str_equal (op, "in") ? ")" : "))");
      return TRUE;
    }

  if (!get_string (c, value, &text, error) || !check_enum_value (c, field, text, error))
    return FALSE;

  /* lower() folds ASCII only, so Chinese text compares as written. */
  if (g_str_equal (op, "eq"))
    g_string_append_printf (c->query->sql, "%s = ", e);
  else if (g_str_equal (op, "ne"))
    g_string_append_printf (c->query->sql, "%s IS NOT ", e);
  else if (g_str_equal (op, "contains"))
    g_string_append_printf (c->query->sql, "instr (lower (%s), lower (", e);
  else if (g_str_equal (op, "not_contains"))
    g_string_append_printf (c->query->sql, "(%s IS NULL OR instr (lower (%s), lower (", e, e);
  else if (g_str_equal (op, "starts_with"))
    g_string_append_printf (c->query->sql, "instr (lower (%s), lower (", e);
  add_param (c, g_variant_new_string (text));
  if (g_str_equal (op, "contains"))
    emit (c, ")) > 0");
  else if (g_str_equal (op, "not_contains"))
    emit (c, ")) = 0)");
  else if (g_str_equal (op, "starts_with"))
    emit (c, ")) = 1");
  return TRUE;
}

static gboolean
compile_tags (Compiler   *c,
              const char *op,
              JsonNode   *value,
              GError    **error)
{
  static const FieldDef tag_field = { { "tags", CRM_SEGMENT_FIELD_TEXT, NULL, NULL }, "c.tags" };
  const char *text;
  guint n;

  if (g_str_equal (op, "is_set"))
    emit (c, "json_array_length (c.tags) > 0");
  else if (g_str_equal (op, "is_not_set"))
    emit (c, "json_array_length (c.tags) = 0");
  else if (g_str_equal (op, "has"))
    {
      if (!get_string (c, value, &text, error))
        return FALSE;
      emit (c, "EXISTS (SELECT 1 FROM json_each (c.tags) t WHERE t.value = ");
      add_param (c, g_variant_new_string (text));
      emit (c, ")");
    }
  else if (g_str_equal (op, "has_all"))
    {
      /* Every listed tag: as many distinct matches as distinct values. */
      g_autoptr(GHashTable) distinct = g_hash_table_new (g_str_hash, g_str_equal);
      JsonArray *array;

      emit (c, "(SELECT count (DISTINCT t.value) FROM json_each (c.tags) t WHERE t.value IN (");
      if (!emit_text_list (c, &tag_field, value, &n, error))
        return FALSE;
      array = json_node_get_array (value);
      for (guint i = 0; i < n; i++)
        g_hash_table_add (distinct, (gpointer) json_array_get_string_element (array, i));
      emit (c, ")) = ");
      add_param (c, g_variant_new_int64 (g_hash_table_size (distinct)));
    }
  else
    {
      emit (c, g_str_equal (op, "has_any") ? "EXISTS" : "NOT EXISTS");
      emit (c, " (SELECT 1 FROM json_each (c.tags) t WHERE t.value IN (");
      if (!emit_text_list (c, &tag_field, value, &n, error))
        return FALSE;
      emit (c, "))");
    }
  return TRUE;
}

/* Age compiles to birthday ranges (index-friendly, exact on leap days):
 * age ≥ N ⇔ birthday ≤ reference − N years. */
static void
emit_age_at_least (Compiler *c,
                   gint64    years)
{
  emit (c, "c.birthday <= ");
  add_param (c, born_by (c, years));
}

static void
emit_age_at_most (Compiler *c,
                  gint64    years)
{
  emit (c, "c.birthday > ");
  add_param (c, born_by (c, years + 1));
}

static gboolean
compile_age (Compiler   *c,
             const char *op,
             JsonNode   *value,
             GError    **error)
{
  gint64 n = 0;

  if (g_str_equal (op, "is_set") || g_str_equal (op, "is_not_set"))
    {
      emit (c, g_str_equal (op, "is_set") ? "c.birthday IS NOT NULL" : "c.birthday IS NULL");
      return TRUE;
    }
  if (g_str_equal (op, "between"))
    {
      JsonArray *array;
      gint64 range[2];
      gsize path_len = c->path->len;

      if (value == NULL || !JSON_NODE_HOLDS_ARRAY (value) ||
          json_array_get_length (array = json_node_get_array (value)) != 2)
        return fail (c, error, _("expected [lowest, highest], got %s"), json_kind_name (value));
      for (guint i = 0; i < 2; i++)
        {
          g_string_append_printf (c->path, "[%u]", i);
          if (!get_whole (c, json_array_get_element (array, i), 0, 150, &range[i], error))
            return FALSE;
          g_string_truncate (c->path, path_len);
        }
      if (range[0] > range[1])
        return fail (c, error, _("the lowest value %" PRId64 " is above the highest %" PRId64),
                     range[0], range[1]);
      emit (c, "(");
      emit_age_at_least (c, range[0]);
      emit (c, " AND ");
      emit_age_at_most (c, range[1]);
      emit (c, ")");
      return TRUE;
    }

  if (!get_whole (c, value, 0, 150, &n, error))
    return FALSE;
  if (g_str_equal (op, "ge"))
    emit_age_at_least (c, n);
  else if (g_str_equal (op, "gt"))
    emit_age_at_least (c, n + 1);
  else if (g_str_equal (op, "le"))
    emit_age_at_most (c, n);
  else if (g_str_equal (op, "lt"))
    {
      if (n == 0)
        emit (c, "0");
      else
        emit_age_at_most (c, n - 1);
    }
  else
    {
      /* eq and ne; a contact without a birthday is "not 30". */
      emit (c, g_str_equal (op, "eq") ? "(" : "(c.birthday IS NULL OR NOT (");
      emit_age_at_least (c, n);
      emit (c, " AND ");
      emit_age_at_most (c, n);
      emit (c, g_str_equal (op, "eq") ? ")" : "))");
    }
  return TRUE;
}

static gboolean
compile_number (Compiler       *c,
                const FieldDef *field,
                const char     *expr,
                const char     *op,
                JsonNode       *value,
                GError        **error)
{
  static const struct { const char *op, *sql; } comparisons[] = {
    { "eq", "=" }, { "lt", "<" }, { "le", "<=" }, { "gt", ">" }, { "ge", ">=" },
  };
  double n;

  if (g_str_equal (op, "is_set") || g_str_equal (op, "is_not_set"))
    {
      g_string_append_printf (c->query->sql, g_str_equal (op, "is_set") ? "%s IS NOT NULL" : "%s IS NULL", expr);
      return TRUE;
    }
  if (g_str_equal (op, "between"))
    {
      double range[2];

      if (!get_range (c, value, range, error))
        return FALSE;
      g_string_append_printf (c->query->sql, "%s BETWEEN ", expr);
      add_param (c, number_param (field, range[0]));
      emit (c, " AND ");
      add_param (c, number_param (field, range[1]));
      return TRUE;
    }
  if (!get_number (c, value, &n, error))
    return FALSE;
  if (g_str_equal (op, "ne"))
    g_string_append_printf (c->query->sql, "%s IS NOT ", expr);
  else
    for (guint i = 0; i < G_N_ELEMENTS (comparisons); i++)
      if (g_str_equal (op, comparisons[i].op))
        g_string_append_printf (c->query->sql, "%s %s ", expr, comparisons[i].sql);
  add_param (c, number_param (field, n));
  return TRUE;
}

static gboolean
compile_date (Compiler       *c,
              const FieldDef *field,
              const char     *op,
              JsonNode       *value,
              GError        **error)
{
  const char *e = field->sql;

  /* Timestamps are ISO 8601 text, so a date compares as the start of
   * its day. */
  if (g_str_equal (op, "is_set") || g_str_equal (op, "is_not_set"))
    g_string_append_printf (c->query->sql, g_str_equal (op, "is_set") ? "%s IS NOT NULL" : "%s IS NULL", e);
  else if (g_str_equal (op, "before") || g_str_equal (op, "after"))
    {
      GDate date;
      g_autofree char *text = NULL;

      if (!get_date (c, value, &date, error))
        return FALSE;
      if (g_str_equal (op, "after"))
        g_date_add_days (&date, 1);
      text = date_string (&date);
      g_string_append_printf (c->query->sql, g_str_equal (op, "before") ? "%s < " : "%s >= ", e);
      add_param (c, g_variant_new_string (text));
    }
  else
    {
      gint64 days;

      if (!get_whole (c, value, 0, 36500, &days, error))
        return FALSE;
      g_string_append_printf (c->query->sql, g_str_equal (op, "within_days") ? "%s >= " : "%s < ", e);
      add_param (c, days_before_reference (c, days));
    }
  return TRUE;
}

static gboolean
get_within_days (Compiler  *c,
                 JsonObject *condition,
                 gint64    *out_days,
                 GError   **error)
{
  gsize path_len = c->path->len;

  *out_days = -1;
  if (!json_object_has_member (condition, "within_days"))
    return TRUE;
  g_string_append (c->path, ".within_days");
  if (!get_whole (c, json_object_get_member (condition, "within_days"), 0, 36500, out_days, error))
    return FALSE;
  g_string_truncate (c->path, path_len);
  return TRUE;
}

static gboolean
compile_purchase (Compiler       *c,
                  const FieldDef *field,
                  const char     *op,
                  JsonNode       *value,
                  gint64          within_days,
                  GError        **error)
{
  gboolean negated = g_str_equal (op, "ne") || g_str_equal (op, "not_in") || g_str_equal (op, "not_contains");
  const char *text;
  guint n;

  emit (c, negated ? "NOT EXISTS" : "EXISTS");
  emit (c, " (SELECT 1 FROM purchases p WHERE p.contact_id = c.id AND p.deleted = 0 AND ");
  if (g_str_equal (op, "in") || g_str_equal (op, "not_in"))
    {
      g_string_append_printf (c->query->sql, "%s IN (", field->sql);
      if (!emit_text_list (c, field, value, &n, error))
        return FALSE;
      emit (c, ")");
    }
  else
    {
      if (!get_string (c, value, &text, error))
        return FALSE;
      if (g_str_equal (op, "eq") || g_str_equal (op, "ne"))
        g_string_append_printf (c->query->sql, "%s = ", field->sql);
      else
        g_string_append_printf (c->query->sql, "instr (lower (%s), lower (", field->sql);
      add_param (c, g_variant_new_string (text));
      if (!g_str_equal (op, "eq") && !g_str_equal (op, "ne"))
        emit (c, ")) > 0");
    }
  if (within_days >= 0)
    {
      emit (c, " AND p.purchased_at >= ");
      add_param (c, days_before_reference (c, within_days));
    }
  emit (c, ")");
  return TRUE;
}

static gboolean
compile_condition (Compiler   *c,
                   JsonObject *condition,
                   GError    **error)
{
  static const char * const keys[] = { "field", "op", "value", "within_days", NULL };
  g_autoptr(GList) members = json_object_get_members (condition);
  const FieldDef *field;
  const char *field_name;
  const char *op;
  const char * const *ops;
  JsonNode *value;
  gboolean takes_value;
  gint64 within_days;
  gsize path_len = c->path->len;

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (keys, l->data))
      return fail (c, error, _("unknown key “%s” (a condition has field, op, value and for purchases and activities within_days)"),
                   (const char *) l->data);

  if (!json_object_has_member (condition, "field"))
    return fail (c, error, _("a condition needs a “field”"));
  g_string_append (c->path, ".field");
  if (!get_string (c, json_object_get_member (condition, "field"), &field_name, error))
    return FALSE;
  field = find_field (field_name);
  if (field == NULL)
    return fail (c, error, _("unknown field “%s”"), field_name);
  g_string_truncate (c->path, path_len);

  ops = crm_segment_rule_get_ops (field->pub.kind);
  if (!json_object_has_member (condition, "op"))
    return fail (c, error, _("a condition needs an “op”"));
  g_string_append (c->path, ".op");
  if (!get_string (c, json_object_get_member (condition, "op"), &op, error))
    return FALSE;
  if (!g_strv_contains (ops, op))
    {
      g_autofree char *allowed = g_strjoinv (", ", (char **) ops);

      return fail (c, error, _("“%s” does not take “%s”; it takes %s"), field_name, op, allowed);
    }
  g_string_truncate (c->path, path_len);

  takes_value = !g_str_equal (op, "is_set") && !g_str_equal (op, "is_not_set");
  value = json_object_get_member (condition, "value");
  if (takes_value && value == NULL)
    return fail (c, error, _("“%s %s” needs a “value”"), field_name, op);
  if (!takes_value && value != NULL)
    return fail (c, error, _("“%s” takes no “value”"), op);

  if (json_object_has_member (condition, "within_days") &&
      field->pub.kind != CRM_SEGMENT_FIELD_PURCHASE && field->pub.kind != CRM_SEGMENT_FIELD_EXISTS &&
      field->pub.kind != CRM_SEGMENT_FIELD_SCORE)
    return fail (c, error, _("“within_days” applies only to purchases, complaints and survey scores"));
  if (!get_within_days (c, condition, &within_days, error))
    return FALSE;

  g_string_append (c->path, ".value");
  switch (field->pub.kind)
    {
    case CRM_SEGMENT_FIELD_TEXT:
    case CRM_SEGMENT_FIELD_ENUM:
      if (!compile_text (c, field, op, value, error))
        return FALSE;
      break;
    case CRM_SEGMENT_FIELD_TAGS:
      if (!compile_tags (c, op, value, error))
        return FALSE;
      break;
    case CRM_SEGMENT_FIELD_BOOL:
      {
        gboolean b;

        if (!get_bool (c, value, &b, error))
          return FALSE;
        g_string_append_printf (c->query->sql, "%s = ", field->sql);
        add_param (c, g_variant_new_int64 ((b != FALSE) == g_str_equal (op, "eq")));
      }
      break;
    case CRM_SEGMENT_FIELD_NUMBER:
      if (g_str_equal (field->pub.name, "age"))
        {
          if (!compile_age (c, op, value, error))
            return FALSE;
        }
      else if (!compile_number (c, field, field->sql, op, value, error))
        return FALSE;
      break;
    case CRM_SEGMENT_FIELD_DATE:
      if (!compile_date (c, field, op, value, error))
        return FALSE;
      break;
    case CRM_SEGMENT_FIELD_PURCHASE:
      if (!compile_purchase (c, field, op, value, within_days, error))
        return FALSE;
      break;
    case CRM_SEGMENT_FIELD_EXISTS:
      {
        gboolean b;

        if (!get_bool (c, value, &b, error))
          return FALSE;
        if (!b)
          emit (c, "NOT ");
        emit (c, field->sql);
        if (within_days >= 0)
          {
            emit (c, " AND a.created_at >= ");
            add_param (c, days_before_reference (c, within_days));
          }
        emit (c, ")");
      }
      break;
    case CRM_SEGMENT_FIELD_SCORE:
      {
        emit (c, field->sql);
        emit (c, " AND ");
        if (!compile_number (c, field, "sa.value_number", op, value, error))
          return FALSE;
        if (within_days >= 0)
          {
            emit (c, " AND r.submitted_at >= ");
            add_param (c, days_before_reference (c, within_days));
          }
        emit (c, ")");
      }
      break;
    default:
      g_assert_not_reached ();
    }
  g_string_truncate (c->path, path_len);
  return TRUE;
}

static gboolean compile_item (Compiler *c, JsonNode *node, guint depth, GError **error);

static gboolean
compile_group (Compiler   *c,
               JsonObject *group,
               guint       depth,
               GError    **error)
{
  gboolean all = json_object_has_member (group, "all");
  const char *key = all ? "all" : "any";
  JsonNode *items_node = json_object_get_member (group, key);
  JsonArray *items;
  guint n;
  gsize path_len = c->path->len;

  if (json_object_get_size (group) != 1)
    return fail (c, error, _("a group has exactly one key, “all” or “any”"));
  if (depth > MAX_DEPTH)
    return fail (c, error, _("groups are nested more than %d deep"), MAX_DEPTH);

  if (c->path->len > 0)
    g_string_append_c (c->path, '.');
  g_string_append (c->path, key);
  if (!JSON_NODE_HOLDS_ARRAY (items_node))
    return fail (c, error, _("expected a list of conditions, got %s"), json_kind_name (items_node));
  items = json_node_get_array (items_node);
  n = json_array_get_length (items);

  /* all [] is everyone (a new rule in the editor); any [] would be nobody,
   * which is never what was meant. */
  if (n == 0)
    {
      if (!all)
        return fail (c, error, _("“any” needs at least one condition"));
      emit (c, "1");
      g_string_truncate (c->path, path_len);
      return TRUE;
    }

  emit (c, "(");
  for (guint i = 0; i < n; i++)
    {
      gsize item_len = c->path->len;

      if (i > 0)
        emit (c, all ? " AND " : " OR ");
      g_string_append_printf (c->path, "[%u]", i);
      if (!compile_item (c, json_array_get_element (items, i), depth + 1, error))
        return FALSE;
      g_string_truncate (c->path, item_len);
    }
  emit (c, ")");
  g_string_truncate (c->path, path_len);
  return TRUE;
}

static gboolean
compile_item (Compiler *c,
              JsonNode *node,
              guint     depth,
              GError  **error)
{
  JsonObject *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return fail (c, error, _("expected a condition or a group, got %s"), json_kind_name (node));
  object = json_node_get_object (node);
  if (json_object_has_member (object, "all") || json_object_has_member (object, "any"))
    return compile_group (c, object, depth, error);
  if (json_object_has_member (object, "field"))
    return compile_condition (c, object, error);
  return fail (c, error, _("expected a condition (with “field”) or a group (“all” or “any”)"));
}

/* Whether every match must pass an eq/in on rfm_segment, which the index
 * contacts_rfm (deleted, rfm_segment) serves. */
static gboolean
uses_selective_index (JsonObject *group)
{
  JsonArray *items;

  if (!json_object_has_member (group, "all"))
    return FALSE;
  items = json_object_get_array_member (group, "all");
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      const char *op = json_object_get_string_member_with_default (item, "op", "");

      if (g_strcmp0 (json_object_get_string_member_with_default (item, "field", ""), "rfm_segment") == 0 &&
          (g_str_equal (op, "eq") || g_str_equal (op, "in")))
        return TRUE;
    }
  return FALSE;
}

CrmSegmentQuery *
crm_segment_query_new_from_node (JsonNode    *rule,
                                 const char  *reference_date,
                                 GError     **error)
{
  g_autoptr(CrmSegmentQuery) query = g_new0 (CrmSegmentQuery, 1);
  g_autoptr(GString) path = g_string_new ("");
  Compiler c = { query, { 0 }, path };

  query->sql = g_string_new ("");
  query->params = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);

  g_date_clear (&c.reference, 1);
  if (reference_date != NULL)
    g_date_set_parse (&c.reference, reference_date);
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      g_date_set_dmy (&c.reference, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                      g_date_time_get_year (now));
    }
  g_return_val_if_fail (g_date_valid (&c.reference), NULL);

  if (rule == NULL || !JSON_NODE_HOLDS_OBJECT (rule) ||
      !(json_object_has_member (json_node_get_object (rule), "all") ||
        json_object_has_member (json_node_get_object (rule), "any")))
    {
      fail (&c, error, _("a rule is a group: {\"all\": […]} or {\"any\": […]}"));
      return NULL;
    }
  if (!compile_group (&c, json_node_get_object (rule), 0, error))
    return NULL;
  query->selective_index = uses_selective_index (json_node_get_object (rule));
  return g_steal_pointer (&query);
}

CrmSegmentQuery *
crm_segment_query_new (const char  *rule_json,
                       const char  *reference_date,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;

  if (rule_json == NULL || !json_parser_load_from_data (parser, rule_json, -1, &local_error))
    {
      g_set_error (error, CRM_SEGMENT_RULE_ERROR, CRM_SEGMENT_RULE_ERROR_SYNTAX,
                   _("The rule is not valid JSON: %s"),
                   local_error != NULL ? local_error->message : _("no text"));
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, CRM_SEGMENT_RULE_ERROR, CRM_SEGMENT_RULE_ERROR_SYNTAX,
                           _("The rule is empty."));
      return NULL;
    }
  return crm_segment_query_new_from_node (json_parser_get_root (parser), reference_date, error);
}

gboolean
crm_segment_rule_validate (const char  *rule_json,
                           GError     **error)
{
  g_autoptr(CrmSegmentQuery) query = crm_segment_query_new (rule_json, NULL, error);

  return query != NULL;
}

void
crm_segment_query_free (CrmSegmentQuery *self)
{
  if (self == NULL)
    return;
  if (self->sql != NULL)
    g_string_free (self->sql, TRUE);
  g_clear_pointer (&self->params, g_ptr_array_unref);
  g_free (self);
}

const char *
crm_segment_query_get_predicate (CrmSegmentQuery *self)
{
  return self->sql->str;
}

const char *
crm_segment_query_get_live_condition (CrmSegmentQuery *self)
{
  /* Without a selective index, the planner would still pick an index that
   * starts with `deleted` and look up nearly every row through it, several
   * times slower than reading the table in order; unary + prevents that. */
  return self->selective_index ? "c.deleted = 0" : "+c.deleted = 0";
}

guint
crm_segment_query_get_n_params (CrmSegmentQuery *self)
{
  return self->params->len;
}

int
crm_segment_query_bind (CrmSegmentQuery *self,
                        sqlite3_stmt    *stmt,
                        int              first_index)
{
  int index = first_index;

  for (guint i = 0; i < self->params->len; i++, index++)
    {
      GVariant *v = g_ptr_array_index (self->params, i);

      if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
        sqlite3_bind_text (stmt, index, g_variant_get_string (v, NULL), -1, SQLITE_TRANSIENT);
      else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
        sqlite3_bind_int64 (stmt, index, g_variant_get_int64 (v));
      else
        sqlite3_bind_double (stmt, index, g_variant_get_double (v));
    }
  return index;
}
